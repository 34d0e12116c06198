/**
 * Payloads travel as JSON in every broker, so all four hand subscribers the same value
 * and a payload JSON cannot carry fails at publish.
 *
 * @module
 */

/** The payload as JSON text; `undefined` is sent as `null`. */
export function payloadJson(data: unknown): string {
  return JSON.stringify(data ?? null);
}

/** What a subscriber will receive for `data`. */
export function payloadCopy(data: unknown): unknown {
  return JSON.parse(payloadJson(data));
}

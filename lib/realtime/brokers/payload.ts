/**
 * Payloads travel as JSON in every broker, so all four give a subscriber the
 * same value (a Date becomes a string, `undefined` becomes null) and a
 * payload that JSON cannot carry fails at publish, not at delivery.
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

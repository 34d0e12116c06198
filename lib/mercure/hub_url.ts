/**
 * The hub's own URL (`/.well-known/mercure` on the request's origin): the
 * base of relative URL patterns and topics.
 *
 * @module
 */
export const HUB_PATH = "/.well-known/mercure";

export function hubUrlOf(req: Request): string {
  return new URL(HUB_PATH, req.url).href;
}

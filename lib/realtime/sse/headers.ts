/**
 * The response headers of every Herald event stream (ARCHITECTURE.md, The wire).
 *
 * @module
 */

export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
});

/** A fresh Headers object with {@link SSE_HEADERS}. */
export function sseHeaders(): Headers {
  return new Headers(SSE_HEADERS);
}

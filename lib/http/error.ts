/**
 * The one error helper of the HTTP layer: every error answer is JSON
 * `{"error": {"code", "message"}}` (DESIGN.md, HTTP API).
 *
 * @example
 * ```ts
 * throw new HttpError(413, "payload_too_large", "body exceeds 65536 bytes");
 * // …caught by the route and answered with errorResponse(err)
 * ```
 * @module
 */

/** An error that carries its HTTP answer. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: HeadersInit = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The JSON answer for an error: an {@link HttpError}'s own, else a 500 that hides the details. */
export function errorResponse(err: unknown): Response {
  const e = err instanceof HttpError
    ? err
    : new HttpError(500, "internal", "internal server error");
  const headers = new Headers(e.headers);
  headers.set("content-type", "application/json; charset=utf-8");
  return new Response(
    JSON.stringify({ error: { code: e.code, message: e.message } }),
    { status: e.status, headers },
  );
}

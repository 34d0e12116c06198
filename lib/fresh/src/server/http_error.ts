/**
 * An error that carries its HTTP answer; how it looks is the app's `config.onError`,
 * else plain text.
 *
 * @module
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    /** A short machine-readable name, e.g. `method_not_allowed`. */
    readonly code: string,
    message: string,
    readonly headers: HeadersInit = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The framework's own answer for an {@link HttpError}, when the app gives none. */
export function plainErrorResponse(err: HttpError): Response {
  const headers = new Headers(err.headers);
  headers.set("content-type", "text/plain; charset=utf-8");
  return new Response(err.message, { status: err.status, headers });
}

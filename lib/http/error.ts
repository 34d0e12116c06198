/**
 * The app's one error format over HTTP, JSON `{"error": {"code", "message"}}`, and
 * {@link jsonErrors}, the `onError` hook that makes lib/fresh answer in it.
 *
 * @module
 */
// The module, not the `$fresh/server.ts` barrel: islands bundle this file.
import { HttpError } from "$fresh/src/server/http_error.ts";

export { HttpError };

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

/**
 * lib/fresh's `onError`, the one place thrown errors become answers: an
 * {@link HttpError} as its JSON; any other error as the JSON 500 under
 * `/api/`, and as the `_500` page elsewhere (null).
 */
export function jsonErrors(err: unknown, req: Request): Response | null {
  if (err instanceof HttpError) return errorResponse(err);
  return new URL(req.url).pathname.startsWith("/api/")
    ? errorResponse(err)
    : null;
}

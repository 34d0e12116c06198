/**
 * How a route (or an access hook) tells an EventSource to stop for good:
 * throw {@link stopStream}; the stream endpoints answer it with `204 No
 * Content`, which a native EventSource never retries.
 *
 * @example
 * ```ts
 * if (roomClosed(channel)) throw stopStream("room closed");
 * ```
 * @module
 */
import { HttpError } from "../../http/error.ts";

/** The error that makes a stream endpoint answer 204. */
export function stopStream(reason = "stream stopped"): HttpError {
  return new HttpError(204, "stopped", reason);
}

/** True for an error made by {@link stopStream} (or any HttpError with status 204). */
export function isStopStream(err: unknown): boolean {
  return err instanceof HttpError && err.status === 204;
}

/** The 204 answer, with no body. */
export function stopResponse(): Response {
  return new Response(null, { status: 204 });
}

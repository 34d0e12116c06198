/**
 * Every request gets an id (answered as `X-Request-Id`, and carried by every
 * log record written while it is answered); a 4xx answer is logged as a
 * warning and a 5xx as an error, so they show on /logs (redacted there like
 * every record: no private channel name in the path). The runtime's trace
 * span of the request names the route pattern, not the URL.
 *
 * @example
 * ```ts
 * const res = await answerWithRequestId(req, () => ctx.next());
 * res.headers.get("x-request-id"); // "4f0c…"
 * ```
 * @module
 */
import { withHeaders } from "../../access/cors.ts";
import { heraldLog, withRequestId } from "../../realtime/observe.ts";
import { nameRequestSpan } from "../../metrics/tracing.ts";

/** A short random id (16 hex digits). */
function newRequestId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/**
 * Answers `req` with `next` inside a request id's context; logs 4xx/5xx.
 * `route` (the matched pattern) replaces the URL on the request's trace span.
 */
export async function answerWithRequestId(
  req: Request,
  next: () => Promise<Response>,
  route = "",
): Promise<Response> {
  nameRequestSpan(req, route);
  const requestId = newRequestId();
  return await withRequestId(requestId, async () => {
    const res = await next();
    if (res.status >= 400) {
      const { pathname } = new URL(req.url);
      heraldLog(
        res.status >= 500 ? "error" : "warn",
        `${req.method} ${pathname} answered ${res.status}`,
        { method: req.method, path: pathname, status: res.status },
      );
    }
    return withHeaders(res, { "x-request-id": requestId });
  });
}

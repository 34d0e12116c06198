/**
 * A request id on every answer (`X-Request-Id`) and on every record logged meanwhile;
 * 4xx answers logged as warnings, 5xx as errors.
 *
 * @module
 */
import { withHeaders } from "../../access/cors.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import { nameRequestSpan } from "../../metrics/tracing.ts";

/** A short random id (16 hex digits). */
function newRequestId(): string {
  return crypto.randomUUID().replaceAll("-", "").slice(0, 16);
}

/**
 * Answers `req` with `next` inside a request id's context of `log`; logs 4xx/5xx.
 * `route` (the matched pattern) replaces the URL on the request's trace span.
 */
export async function answerWithRequestId(
  log: HeraldLog,
  req: Request,
  next: () => Promise<Response>,
  route = "",
): Promise<Response> {
  nameRequestSpan(req, route);
  const requestId = newRequestId();
  return await log.withRequestId(requestId, async () => {
    const res = await next();
    if (res.status >= 400) {
      const { pathname } = new URL(req.url);
      log.log(
        res.status >= 500 ? "error" : "warn",
        `${req.method} ${pathname} answered ${res.status}`,
        { method: req.method, path: pathname, status: res.status },
      );
    }
    return withHeaders(res, { "x-request-id": requestId });
  });
}

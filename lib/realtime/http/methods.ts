/**
 * Method dispatch for one API path: the handler of the request's method, or a
 * 405 JSON error with `Allow`.
 *
 * @example
 * ```ts
 * export const channelMessages = byMethod({ GET: readHistory, POST: publishMessage });
 * ```
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import type { ApiHandler } from "./context.ts";

export function byMethod(handlers: Record<string, ApiHandler>): ApiHandler {
  const allow = Object.keys(handlers).join(", ");
  return (req, ctx) => {
    const handler = handlers[req.method.toUpperCase()];
    if (handler) return handler(req, ctx);
    return Promise.resolve(errorResponse(
      new HttpError(
        405,
        "method_not_allowed",
        `${req.method} is not allowed here; use ${allow}`,
        { allow },
      ),
    ));
  };
}

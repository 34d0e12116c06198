/**
 * Adapts a Herald API handler to a Fresh route `handler`: it passes the route
 * parameters and client address on and supplies the process's Herald. A
 * Herald that cannot start is a 503 JSON error (a stream endpoint answers a
 * `retry:`-only stream instead, so EventSource keeps trying).
 *
 * @example
 * ```ts
 * // routes/api/health.ts
 * export const handler = heraldRoute(healthEndpoint);
 * ```
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import { getHerald } from "../herald.ts";
import { configFromEnv } from "../config.ts";
import { heraldLog } from "../observe.ts";
import type { ApiHandler, PublishGuard } from "./context.ts";
import { retryLaterResponse } from "./event_stream.ts";

/** The part of Fresh's context a Herald route needs. */
export interface RouteContext {
  params: Record<string, string | undefined>;
  remoteAddr?: Deno.Addr;
}

export function heraldRoute(
  handler: ApiHandler,
  opts: { stream?: boolean; publishGuard?: PublishGuard } = {},
): (req: Request, ctx: RouteContext) => Promise<Response> {
  return async (req, ctx) => {
    let herald;
    try {
      herald = await getHerald();
    } catch (err) {
      heraldLog("error", "herald unavailable", { error: String(err) });
      if (opts.stream && req.method === "GET") {
        return retryLaterResponse(configFromEnvSafe());
      }
      return errorResponse(
        new HttpError(503, "unavailable", "Herald is starting or unavailable"),
      );
    }
    return handler(req, {
      herald,
      params: ctx.params,
      remoteAddr: ctx.remoteAddr,
      publishGuard: opts.publishGuard,
    });
  };
}

function configFromEnvSafe(): number {
  try {
    return configFromEnv().retryMs;
  } catch {
    return 2000;
  }
}

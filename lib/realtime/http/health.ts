/**
 * `GET /api/health`: `{broker, healthy, detail?, streams, channels}`; 200 while
 * the broker is healthy, 503 while it is not (for load balancers).
 *
 * @module
 */
import type { ApiContext } from "./context.ts";
import { byMethod } from "./methods.ts";

export interface HealthReport {
  broker: string;
  healthy: boolean;
  detail?: string;
  /** Open SSE streams in this process. */
  streams: number;
  /** Broker subscriptions (channels) held by this process. */
  channels: number;
}

export function healthReport(ctx: ApiContext): HealthReport {
  const health = ctx.herald.broker.health();
  const { streams, channels } = ctx.herald.hub.stats();
  return { ...health, streams, channels };
}

export const healthEndpoint = byMethod({
  GET: (_req, ctx) => {
    const report = healthReport(ctx);
    return Promise.resolve(Response.json(report, {
      status: report.healthy ? 200 : 503,
      headers: { "cache-control": "no-store" },
    }));
  },
});

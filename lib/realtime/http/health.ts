/**
 * `GET /api/health`: `{broker, healthy, detail?, streams, channels}`; 200 while
 * the broker is healthy, 503 while it is not (for load balancers).
 *
 * @module
 */
import type { ApiContext } from "./context.ts";

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
  const health = ctx.state.herald.broker.health();
  const { streams, channels } = ctx.state.herald.hub.stats();
  return { ...health, streams, channels };
}

export function checkHealth(_req: Request, ctx: ApiContext): Response {
  const report = healthReport(ctx);
  return Response.json(report, {
    status: report.healthy ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}

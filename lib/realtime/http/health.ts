/**
 * `GET /api/health`: the broker's health and this process's streams; 503 while the
 * broker is unhealthy; `detail` for the admin only.
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

/** The report; `detail` (an internal address, a driver error) only when `withDetail`. */
export function healthReport(
  ctx: ApiContext,
  withDetail = true,
): HealthReport {
  const { detail, ...health } = ctx.state.herald.broker.health();
  const { streams, channels } = ctx.state.herald.hub.stats();
  return {
    ...health,
    ...(withDetail && detail !== undefined ? { detail } : {}),
    streams,
    channels,
  };
}

export async function checkHealth(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const report = healthReport(ctx, await ctx.state.access.isAdmin(req));
  return Response.json(report, {
    status: report.healthy ? 200 : 503,
    headers: { "cache-control": "no-store" },
  });
}

/**
 * The admin's view across processes: each process reports its figures on the
 * app-owned stats channel and keeps every peer's latest (ARCHITECTURE.md,
 * Observability).
 *
 * @module
 */
import type { HeraldMetrics, MetricsSnapshot } from "../../metrics/metrics.ts";
import type { ChannelStats } from "../../realtime/hub/channels.ts";
import type { Hub } from "../../realtime/hub/hub.ts";
import type { Broker, HeraldEvent } from "../../realtime/types.ts";

/** Where processes report (app-owned, admin-only). */
export const STATS_CHANNEL = "private:herald.stats";
/** Channels one report lists at most (the most followed first). */
const MAX_CHANNELS = 100;

export interface StatsReport extends MetricsSnapshot {
  process: string;
  /** Milliseconds since the epoch. */
  time: number;
  channels: ChannelStats[];
}

export interface ProcessView {
  process: string;
  time: number;
  broker: string;
  brokerHealthy: boolean;
  streams: number;
  /** Events published per second by this process (null until two reports). */
  inPerSecond: number | null;
  /** Events written on its streams per second. */
  outPerSecond: number | null;
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  rssBytes: number;
  eventLoopLagMs: number;
}

export interface ChannelView {
  channel: string;
  /** Streams holding it, across processes. */
  subscribers: number;
  /** Events per second (the fastest process's view: each sees every event). */
  perSecond: number | null;
  processes: number;
}

export interface AdminView {
  time: number;
  processes: ProcessView[];
  totals: {
    processes: number;
    streams: number;
    inPerSecond: number;
    outPerSecond: number;
    healthy: number;
  };
  channels: ChannelView[];
}

export interface AdminStatsOptions {
  broker: Broker;
  hub: Hub;
  metrics: HeraldMetrics;
  intervalMs: number;
}

export interface AdminStats {
  view(): AdminView;
  stop(): Promise<void>;
}

interface Peer {
  latest: StatsReport;
  previous?: StatsReport;
}

function rate(now: number, before: number, ms: number): number | null {
  return ms > 0 ? Math.max(0, (now - before) * 1000 / ms) : null;
}

/** A report's own shape, checked: a foreign event on the channel is skipped. */
function asReport(event: HeraldEvent): StatsReport | null {
  const data = event.data as Partial<StatsReport> | null;
  if (
    !data || typeof data !== "object" || typeof data.process !== "string" ||
    typeof data.time !== "number" || !Array.isArray(data.channels)
  ) return null;
  return data as StatsReport;
}

export async function startAdminStats(
  opts: AdminStatsOptions,
): Promise<AdminStats> {
  const process = crypto.randomUUID().slice(0, 8);
  const peers = new Map<string, Peer>();
  const remember = (report: StatsReport) => {
    const peer = peers.get(report.process);
    if (peer && report.time <= peer.latest.time) return;
    peers.set(report.process, { latest: report, previous: peer?.latest });
  };
  const receive = (event: HeraldEvent) => {
    const report = asReport(event);
    if (report) remember(report);
  };
  const unsubscribe = await opts.broker.subscribe(STATS_CHANNEL, receive);

  const report = async () => {
    const channels = opts.hub.channels.list()
      .filter((c) => c.channel !== STATS_CHANNEL)
      .sort((a, b) => b.subscribers - a.subscribers)
      .slice(0, MAX_CHANNELS);
    const data: StatsReport = {
      ...opts.metrics.snapshot(),
      process,
      time: Date.now(),
      channels,
    };
    remember(data); // this process's own, at once
    await opts.broker.publish(STATS_CHANNEL, { event: "stats", data })
      .catch(() => {}); // the broker is down: the health chart says so
  };
  await report();
  const timer = setInterval(report, opts.intervalMs);

  const view = (): AdminView => {
    const now = Date.now();
    const processes: ProcessView[] = [];
    const channels = new Map<string, ChannelView>();
    for (const [id, { latest, previous }] of peers) {
      if (now - latest.time > opts.intervalMs * 3) {
        peers.delete(id);
        continue;
      }
      const ms = previous ? latest.time - previous.time : 0;
      processes.push({
        process: id,
        time: latest.time,
        broker: latest.broker,
        brokerHealthy: latest.brokerHealthy,
        streams: latest.streams,
        inPerSecond: previous
          ? rate(latest.published, previous.published, ms)
          : null,
        outPerSecond: previous
          ? rate(latest.delivered, previous.delivered, ms)
          : null,
        latencyP50Ms: latest.latencyP50Ms,
        latencyP99Ms: latest.latencyP99Ms,
        rssBytes: latest.rssBytes,
        eventLoopLagMs: latest.eventLoopLagMs,
      });
      const before = new Map(
        (previous?.channels ?? []).map((c) => [c.channel, c.events]),
      );
      for (const c of latest.channels) {
        const seen = channels.get(c.channel) ??
          { channel: c.channel, subscribers: 0, perSecond: null, processes: 0 };
        seen.subscribers += c.subscribers;
        seen.processes++;
        const was = before.get(c.channel);
        if (was !== undefined && ms > 0) {
          seen.perSecond = Math.max(
            seen.perSecond ?? 0,
            rate(c.events, was, ms)!,
          );
        }
        channels.set(c.channel, seen);
      }
    }
    processes.sort((a, b) => a.process.localeCompare(b.process));
    return {
      time: now,
      processes,
      totals: {
        processes: processes.length,
        streams: processes.reduce((n, p) => n + p.streams, 0),
        inPerSecond: processes.reduce((n, p) => n + (p.inPerSecond ?? 0), 0),
        outPerSecond: processes.reduce((n, p) => n + (p.outPerSecond ?? 0), 0),
        healthy: processes.filter((p) => p.brokerHealthy).length,
      },
      channels: [...channels.values()].sort((a, b) =>
        b.subscribers - a.subscribers || a.channel.localeCompare(b.channel)
      ),
    };
  };

  return {
    view,
    async stop() {
      clearInterval(timer);
      await unsubscribe();
    },
  };
}

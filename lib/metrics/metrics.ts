/**
 * Herald's Prometheus metrics: one prom-client `Registry` per app instance, built in
 * the composition root and handed to the parts it measures (ARCHITECTURE.md,
 * Observability).
 *
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { type ChannelKind, channelKind } from "./channel_kind.ts";
import { LatencyWindow } from "./window.ts";

export { type ChannelKind, channelKind };

/** The two stream endpoints: one channel, or several (`/api/events`). */
export type StreamEndpoint = "channel" | "events";

/** Why a stream ended, as a label. */
export type CloseLabel =
  | "client_gone"
  | "slow_client"
  | "lost_events"
  | "shutdown"
  | "broker_error"
  | "done"
  | "limit";

/** The hub's close reasons as labels (anything unknown is `done`). */
const CLOSE_LABELS: Record<string, CloseLabel> = {
  "client gone": "client_gone",
  "too slow": "slow_client",
  "lost events": "lost_events",
  "hub closed": "shutdown",
  "broker error": "broker_error",
  "done": "done",
};

/** Seconds: from a millisecond to ten seconds. */
const LATENCY_BUCKETS = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
];
const REPLAY_BUCKETS = [0, 1, 10, 100, 1000, 10_000, 100_000];
const LAG_SAMPLE_MS = 500;

/** What one process reports about itself (the admin dashboard, JSON). */
export interface MetricsSnapshot {
  broker: string;
  brokerHealthy: boolean;
  streams: number;
  /** Events this process published, since start. */
  published: number;
  /** Events this process wrote on streams, since start. */
  delivered: number;
  /** Delivery latency over the window since the last snapshot, ms (null: no event). */
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  rssBytes: number;
  eventLoopLagMs: number;
}

export interface MetricsOptions {
  /** The broker's name (a constant label). */
  broker: string;
  /** Sample event-loop lag on a timer (default true; off in unit tests). */
  sampleLag?: boolean;
}

class Figures {
  open: Record<StreamEndpoint, number> = { channel: 0, events: 0 };
  delivered = 0;
  published = 0;
  health: () => boolean = () => true;
  lagMaxMs = 0;

  constructor(readonly broker: string) {}

  /** The longest lag since the last call; starts afresh. */
  takeLagMs(): number {
    const lag = this.lagMaxMs;
    this.lagMaxMs = 0;
    return Math.max(0, lag);
  }
}

export class HeraldMetrics {
  readonly registry = new Registry();
  readonly broker: string;
  /** The plain numbers behind the metrics read at scrape time. */
  #figures: Figures;
  #window = new LatencyWindow(1024);
  #lagTimer: ReturnType<typeof setInterval> | undefined;

  readonly #closes: Counter<"reason">;
  readonly #publishedByKind: Counter<"broker" | "kind">;
  readonly #publishErrors: Counter<"status">;
  readonly #publishDuration: Histogram<never>;
  readonly #deliveryLatency: Histogram<never>;
  readonly #replay: Histogram<never>;
  readonly #gaps: Counter<never>;
  readonly #refusals: Counter<"limit">;
  readonly #reconnects: Counter<"broker">;
  readonly #brokerOps: Histogram<"broker" | "operation">;

  constructor(options: MetricsOptions) {
    this.broker = options.broker;
    const figures = this.#figures = new Figures(options.broker);
    const registers = [this.registry];
    new Gauge({
      name: "herald_streams_open",
      help: "Open SSE streams in this process, by endpoint.",
      labelNames: ["endpoint"],
      registers,
      collect() {
        for (const [endpoint, n] of Object.entries(figures.open)) {
          this.set({ endpoint }, n);
        }
      },
    });
    this.#closes = new Counter({
      name: "herald_stream_closes_total",
      help:
        "Streams ended, by reason (client_gone, slow_client, lost_events, shutdown, broker_error, done; limit: refused at open by a stream limit).",
      labelNames: ["reason"],
      registers,
    });
    this.#publishedByKind = new Counter({
      name: "herald_events_published_total",
      help:
        "Events this process stored through its broker, by broker and channel kind (public, user, private, system).",
      labelNames: ["broker", "kind"],
      registers,
    });
    new Counter({
      name: "herald_events_delivered_total",
      help: "Events written on SSE streams (one per stream an event reached).",
      labelNames: ["broker"],
      registers,
      collect() {
        this.reset();
        this.inc({ broker: figures.broker }, figures.delivered);
      },
    });
    this.#publishErrors = new Counter({
      name: "herald_publish_errors_total",
      help: "API publishes answered with an error, by HTTP status.",
      labelNames: ["status"],
      registers,
    });
    this.#publishDuration = new Histogram({
      name: "herald_publish_duration_seconds",
      help: "API publish, from the request to the event stored.",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#deliveryLatency = new Histogram({
      name: "herald_delivery_latency_seconds",
      help:
        "From an event's publish time to its fan-out on this process's streams (sampled once per event per process).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#replay = new Histogram({
      name: "herald_replay_events",
      help: "Events sent from history by one resuming stream.",
      buckets: REPLAY_BUCKETS,
      registers,
    });
    this.#gaps = new Counter({
      name: "herald_gaps_sent_total",
      help: "event: gap notices sent (a resume older than history).",
      registers,
    });
    this.#refusals = new Counter({
      name: "herald_limit_refusals_total",
      help:
        "Requests refused with 429 by a limit (publish_rate, room_rate, streams_per_ip, streams_per_user, channels_per_ip).",
      labelNames: ["limit"],
      registers,
    });
    new Gauge({
      name: "herald_broker_healthy",
      help: "1 while the broker is reachable, else 0.",
      labelNames: ["broker"],
      registers,
      collect() {
        this.set({ broker: figures.broker }, figures.health() ? 1 : 0);
      },
    });
    this.#reconnects = new Counter({
      name: "herald_broker_reconnects_total",
      help: "Times the broker connection came back after a loss.",
      labelNames: ["broker"],
      registers,
    });
    this.#reconnects.inc({ broker: this.broker }, 0);
    this.#brokerOps = new Histogram({
      name: "herald_broker_operation_duration_seconds",
      help: "Broker calls, by operation (publish, history, head, ...).",
      labelNames: ["broker", "operation"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    new Gauge({
      name: "herald_process_memory_bytes",
      help: "Process memory, by type (rss, heap_used, heap_total, external).",
      labelNames: ["type"],
      registers,
      collect() {
        const m = Deno.memoryUsage();
        this.set({ type: "rss" }, m.rss);
        this.set({ type: "heap_used" }, m.heapUsed);
        this.set({ type: "heap_total" }, m.heapTotal);
        this.set({ type: "external" }, m.external);
      },
    });
    new Gauge({
      name: "herald_event_loop_lag_seconds",
      help:
        "Longest event-loop delay seen since the previous scrape (a 500 ms timer's lateness).",
      registers,
      collect() {
        this.set(figures.takeLagMs() / 1000);
      },
    });
    if (options.sampleLag !== false) this.#startLagSampler();
  }

  /** The broker's health, read at scrape time. */
  watchHealth(healthy: () => boolean): void {
    this.#figures.health = healthy;
  }

  streamOpened(endpoint: StreamEndpoint): void {
    this.#figures.open[endpoint]++;
  }

  /** `reason` is the hub's close reason ("client gone", "too slow", …). */
  streamClosed(endpoint: StreamEndpoint, reason: string): void {
    this.#figures.open[endpoint] = Math.max(
      0,
      this.#figures.open[endpoint] - 1,
    );
    this.#closes.inc({ reason: CLOSE_LABELS[reason] ?? "done" });
  }

  /** A stream refused at open by a stream limit (a 429). */
  streamRefused(): void {
    this.#closes.inc({ reason: "limit" });
  }

  /** The hot path: `count` events written on streams. */
  delivered(count = 1): void {
    this.#figures.delivered += count;
  }

  /** Once per event per process, after its fan-out: ms since it was published. */
  deliveryLatency(ms: number): void {
    const seconds = Math.max(0, ms) / 1000;
    this.#deliveryLatency.observe(seconds);
    this.#window.add(Math.max(0, ms));
  }

  published(channel: string): void {
    this.#figures.published++;
    this.#publishedByKind.inc({
      broker: this.broker,
      kind: channelKind(channel),
    });
  }

  publishDuration(seconds: number): void {
    this.#publishDuration.observe(seconds);
  }

  publishError(status: number): void {
    this.#publishErrors.inc({ status: String(status) });
  }

  replayed(events: number): void {
    this.#replay.observe(events);
  }

  gapSent(): void {
    this.#gaps.inc();
  }

  limitRefused(limit: string): void {
    this.#refusals.inc({ limit });
  }

  brokerReconnected(): void {
    this.#reconnects.inc({ broker: this.broker });
  }

  brokerOperation(operation: string, seconds: number): void {
    this.#brokerOps.observe({ broker: this.broker, operation }, seconds);
  }

  /** The Prometheus text exposition. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** This process's figures; the latency window starts afresh. */
  snapshot(): MetricsSnapshot {
    const { p50, p99 } = this.#window.take();
    return {
      broker: this.broker,
      brokerHealthy: this.#figures.health(),
      streams: this.#figures.open.channel + this.#figures.open.events,
      published: this.#figures.published,
      delivered: this.#figures.delivered,
      latencyP50Ms: p50,
      latencyP99Ms: p99,
      rssBytes: Deno.memoryUsage().rss,
      eventLoopLagMs: Math.max(0, this.#figures.lagMaxMs),
    };
  }

  /** Stops the lag sampler. */
  close(): void {
    clearInterval(this.#lagTimer);
    this.#lagTimer = undefined;
  }

  #startLagSampler(): void {
    let expected = performance.now() + LAG_SAMPLE_MS;
    const timer = setInterval(() => {
      const now = performance.now();
      this.#figures.lagMaxMs = Math.max(this.#figures.lagMaxMs, now - expected);
      expected = now + LAG_SAMPLE_MS;
    }, LAG_SAMPLE_MS);
    Deno.unrefTimer(timer);
    this.#lagTimer = timer;
  }
}

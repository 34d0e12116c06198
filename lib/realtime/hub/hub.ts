/**
 * The per-process hub: turns broker events into SSE streams for any number of local
 * clients (ARCHITECTURE.md, The hub).
 *
 * @example
 * ```ts
 * const body = await hub.open({ channels: ["news"], form: "payload", lastEventId, signal: req.signal });
 * return new Response(body, { headers: sseHeaders() });
 * ```
 *
 * @module
 */
import type { HeraldMetrics } from "../../metrics/metrics.ts";
import { endSpan, startStreamSpan } from "../../metrics/tracing.ts";
import type { Broker, HeraldEvent } from "../types.ts";
import { DEFAULT_MAX_EVENT_BYTES } from "../history/reader.ts";
import { encodeRetry } from "../sse/encode.ts";
import { HeraldLog } from "../observe.ts";
import { ChannelSubscriptions } from "./channels.ts";
import { Heartbeat } from "./heartbeat.ts";
import { type CloseReason, Outbox } from "./outbox.ts";
import { HubStream } from "./stream.ts";
import { replayHistory, ReplayLost } from "./replay.ts";
import type { WireForm } from "./wire.ts";

export type { CloseReason } from "./outbox.ts";
export type { CustomWireForm, WireForm } from "./wire.ts";

export interface HubOptions {
  heartbeatMs: number;
  retryMs: number;
  /** Outgoing buffer per stream, in bytes. */
  subscriberBufferBytes: number;
  /** A resuming client that takes nothing of its replay this long is cut (default never). */
  replayStallMs?: number;
  /** The largest event as JSON: sizes replay reads (default 64 KiB + 512). */
  maxEventBytes?: number;
  /** Counts streams, deliveries, latency, replays and gaps (optional). */
  metrics?: HeraldMetrics;
  /** Where streams and broker failures are logged (default: a fresh, unheard log). */
  log?: HeraldLog;
}

export interface OpenStreamOptions {
  /** Channel names, already validated. */
  channels: string[];
  /** `payload` for one channel, `envelope` for several, or a protocol's own form. */
  form: WireForm;
  /** Sends only the events this accepts (default all); see stream.ts. */
  select?: (event: HeraldEvent) => boolean;
  /** Resume after this id (from `Last-Event-ID` or `lastEventId`). */
  lastEventId?: string | null;
  /** Aborted when the client goes away (`request.signal`). */
  signal?: AbortSignal;
  /** The stream ends then (ms since the epoch): e.g. when the token it was opened with expires. */
  endsAt?: number;
  /** Called once when the stream ends, whatever the reason. */
  onClose?: (reason: CloseReason) => void;
}

/** The longest delay a timer holds; a later end time is cut there (the client reconnects). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface HubStats {
  /** Open SSE streams in this process. */
  streams: number;
  /** Broker subscriptions held by this process (one per channel). */
  channels: number;
  /** Whether the shared heartbeat timer runs (only while streams are open). */
  heartbeat: boolean;
}

export class Hub {
  readonly channels: ChannelSubscriptions;
  readonly heartbeat: Heartbeat;
  /** Where this hub logs (HubOptions.log). */
  readonly log: HeraldLog;
  #outboxes = new Set<Outbox>();
  #retryBytes: Uint8Array;

  constructor(readonly broker: Broker, readonly options: HubOptions) {
    this.log = options.log ?? new HeraldLog();
    this.channels = new ChannelSubscriptions(broker, options.metrics, this.log);
    this.heartbeat = new Heartbeat(options.heartbeatMs, () => this.#outboxes);
    this.#retryBytes = encodeRetry(options.retryMs);
  }

  stats(): HubStats {
    return {
      streams: this.#outboxes.size,
      channels: this.channels.size,
      heartbeat: this.heartbeat.running,
    };
  }

  /**
   * Opens a stream. Resolves once every channel is subscribed on the broker
   * (so an event published after that is delivered). Never rejects for a
   * broker problem: the stream then holds `retry:` and ends, and the client
   * reconnects later.
   */
  async open(opts: OpenStreamOptions): Promise<ReadableStream<Uint8Array>> {
    const releases: (() => void)[] = [];
    const { metrics } = this.options;
    const endpoint = opts.form === "payload" ? "channel" : "events";
    const span = startStreamSpan(
      opts.channels,
      endpoint,
      Boolean(opts.lastEventId),
    );
    const onAbort = () => outbox.close("client gone");
    const outbox: Outbox = new Outbox(
      this.options.subscriberBufferBytes,
      (reason) => {
        opts.signal?.removeEventListener("abort", onAbort);
        for (const release of releases.splice(0)) release();
        this.#outboxes.delete(outbox);
        this.heartbeat.update(this.#outboxes.size);
        metrics?.streamClosed(endpoint, reason);
        endSpan(span, {
          "herald.stream.close_reason": reason,
          "herald.stream.events": stream.sent,
        });
        this.log.log(reason === "too slow" ? "warn" : "info", "stream closed", {
          channels: opts.channels,
          reason,
        });
        opts.onClose?.(reason);
      },
    );
    const stream = new HubStream(
      outbox,
      opts.channels,
      opts.form,
      opts.select,
      metrics,
    );
    metrics?.streamOpened(endpoint);
    this.#outboxes.add(outbox);
    this.heartbeat.update(this.#outboxes.size);
    outbox.send(this.#retryBytes);
    if (opts.signal?.aborted) {
      outbox.close("client gone");
      return outbox.readable;
    }
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    if (opts.endsAt !== undefined) {
      const timer = setTimeout(
        () => outbox.close("expired"),
        Math.min(MAX_TIMER_MS, Math.max(0, opts.endsAt - Date.now())),
      );
      Deno.unrefTimer(timer); // never what keeps the process running
      releases.push(() => clearTimeout(timer));
    }

    const acquired = await Promise.allSettled(
      opts.channels.map((channel) =>
        this.channels.acquire(
          channel,
          stream.live,
          () => outbox.close("lost events"),
        )
      ),
    );
    for (const result of acquired) {
      if (result.status === "fulfilled") {
        // A stream that closed while subscribing releases at once.
        if (outbox.closed) result.value();
        else releases.push(result.value);
      }
    }
    const failed = acquired.find((r) => r.status === "rejected");
    if (failed) {
      this.log.log("error", "broker subscribe failed", {
        channels: opts.channels,
        error: String((failed as PromiseRejectedResult).reason),
      });
      outbox.close("broker error");
      return outbox.readable;
    }
    if (outbox.closed) return outbox.readable;

    this.log.log("info", "stream opened", {
      channels: opts.channels,
      resume: Boolean(opts.lastEventId),
    });
    this.#replay(stream, opts.lastEventId ?? null).catch((err) => {
      if (err instanceof ReplayLost) return outbox.close("lost events");
      this.log.log("error", "replay failed", {
        channels: opts.channels,
        error: String(err),
      });
      outbox.close("broker error");
    });
    return outbox.readable;
  }

  // Runs once every channel is subscribed: an event above the head read here
  // is then sure to arrive live (see stream.ts for the seam).
  async #replay(stream: HubStream, lastEventId: string | null): Promise<void> {
    if (lastEventId !== null) {
      stream.resumeAfter(lastEventId);
      const head = await this.broker.head(); // before any history read
      const trimmed = new Map<string, string | null>();
      for (const channel of stream.channels) {
        const through = await this.broker.trimmedThrough(channel);
        trimmed.set(channel, through);
        if (through !== null && lastEventId < through) {
          stream.sendGap(channel, lastEventId, through);
        }
      }
      if (head !== null && head > lastEventId) {
        // Read ahead at most half a buffer: with the buffer itself and the
        // live events waiting meanwhile, a stream holds ≤ 2.5 buffers.
        const history = replayHistory(this.broker, stream.channels, {
          after: lastEventId,
          head,
          trimmed,
          lookaheadBytes: this.options.subscriberBufferBytes / 2,
          maxEventBytes: this.options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
        });
        const sent = await stream.replay(
          history,
          head,
          this.options.replayStallMs,
        );
        this.options.metrics?.replayed(sent);
      }
    }
    if (!stream.outbox.closed) stream.goLive();
  }

  /** Ends every stream and the heartbeat; resolves once broker subscriptions are gone. */
  async close(): Promise<void> {
    this.channels.handOn(); // what was published goes out before the end
    for (const outbox of [...this.#outboxes]) outbox.close("hub closed");
    this.heartbeat.stop();
    await this.channels.settled();
  }
}

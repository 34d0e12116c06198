/**
 * One broker subscription per channel per process, reference-counted and shared by the
 * local streams; drops repeated ids and passes `onLost` on (ARCHITECTURE.md, The hub).
 *
 * @module
 */
import type { HeraldMetrics } from "../../metrics/metrics.ts";
import type { Broker, HeraldEvent, LostEvents, Unsubscribe } from "../types.ts";
import { HeraldLog } from "../observe.ts";
import { WireBatch, WireEvent } from "./wire.ts";

export type WireListener = (batch: WireBatch) => void;
/** Told that the channel lost events it can no longer deliver. */
export type LostHandler = (info: LostEvents) => void;

interface Entry {
  listeners: Set<WireListener>;
  lost: Map<WireListener, LostHandler>;
  ready: Promise<Unsubscribe>;
  lastId: string | null;
  /** Events dispatched since the subscription began (the admin's rates). */
  events: number;
}

/** One channel this process follows, for the admin's inspector. */
export interface ChannelStats {
  channel: string;
  /** Local streams holding it. */
  subscribers: number;
  /** Events delivered to it in this process since it was subscribed. */
  events: number;
}

/**
 * Deliveries handed on between two I/O polls. Small, so a publish's round
 * trip (a request, a Redis reply, a kv commit) completes within a fan-out
 * and its event joins the next batch (bench/README.md: 500 -> 50 took memory,
 * redis and kv 3-4x higher at 1,000 streams, at lower latency).
 */
export const SLICE = 50;
/** Events waiting to be handed on at most; the next one hands them on at once. */
export const MAX_QUEUED = 512;

export class ChannelSubscriptions {
  #entries = new Map<string, Entry>();
  /** Events dispatched and not yet handed on, in arrival order. */
  #queued: { entry: Entry; wire: WireEvent }[] = [];
  /** Batches being handed on, a slice of streams at a time. */
  #jobs: { batch: WireBatch; listeners: WireListener[]; next: number }[] = [];
  #cancelHandOn: (() => void) | undefined;
  #pendingReleases = new Set<Promise<void>>();

  constructor(
    private readonly broker: Broker,
    private readonly metrics?: HeraldMetrics,
    private readonly log: HeraldLog = new HeraldLog(),
  ) {}

  /** Channels with a live broker subscription (or one being set up). */
  get size(): number {
    return this.#entries.size;
  }

  /** Every channel followed now, with its local subscriber count. */
  list(): ChannelStats[] {
    return [...this.#entries].map(([channel, entry]) => ({
      channel,
      subscribers: entry.listeners.size,
      events: entry.events,
    }));
  }

  /**
   * Adds `listener` to `channel`, subscribing on the broker first if needed;
   * `onLost` hears when the channel lost events (see the module doc).
   */
  async acquire(
    channel: string,
    listener: WireListener,
    onLost?: LostHandler,
  ): Promise<() => void> {
    let entry = this.#entries.get(channel);
    if (!entry) entry = this.#subscribe(channel);
    entry.listeners.add(listener);
    if (onLost) entry.lost.set(listener, onLost);
    const owned = entry;
    try {
      await owned.ready;
    } catch (err) {
      owned.listeners.delete(listener);
      owned.lost.delete(listener);
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#release(channel, owned, listener);
    };
  }

  #subscribe(channel: string): Entry {
    const entry: Entry = {
      listeners: new Set(),
      lost: new Map(),
      lastId: null,
      events: 0,
      ready: Promise.resolve(() => Promise.resolve()),
    };
    entry.ready = this.broker.subscribe(
      channel,
      (event) => this.#dispatch(entry, event),
      (info) => this.#lose(entry, info),
    );
    entry.ready.catch(() => {
      if (this.#entries.get(channel) === entry) this.#entries.delete(channel);
    });
    this.#entries.set(channel, entry);
    return entry;
  }

  #dispatch(entry: Entry, event: HeraldEvent): void {
    if (entry.lastId !== null && event.id <= entry.lastId) return;
    entry.lastId = event.id;
    entry.events++;
    // Handed on after the event loop's next I/O poll (setImmediate; a 0 ms
    // timer waits ~2 ms), so that events arriving meanwhile (other publishes,
    // a Redis read holding several messages, a kv commit of several) reach
    // each stream as one write, and publish answers go out before the fan-out
    // (bench/README.md, issue 14).
    const idle = this.#queued.length === 0 && this.#jobs.length === 0;
    this.#queued.push({ entry, wire: new WireEvent(event) });
    // Publishers that outrun the fan-out wait for it, as they did before it
    // was deferred: the queue never holds more than MAX_QUEUED events.
    if (this.#queued.length >= MAX_QUEUED) this.handOn();
    else if (idle) this.#schedule();
  }

  /** Fans out everything queued now, in one go (the hub calls it before closing). */
  handOn(): void {
    this.#cancelHandOn?.();
    this.#cancelHandOn = undefined;
    this.#takeQueued();
    this.#fanOut(Infinity);
  }

  /**
   * The queued events as jobs, a run of consecutive events of one channel as
   * one batch: across runs the arrival order is kept, so a stream on several
   * channels still sees every event in the order it came.
   */
  #takeQueued(): void {
    const queued = this.#queued;
    this.#queued = [];
    for (let start = 0; start < queued.length;) {
      const { entry } = queued[start];
      let end = start + 1;
      while (end < queued.length && queued[end].entry === entry) end++;
      const run = queued.slice(start, end).map((item) => item.wire);
      this.#jobs.push({
        batch: new WireBatch(run),
        listeners: [...entry.listeners],
        next: 0,
      });
      start = end;
    }
  }

  /**
   * Hands the jobs on, at most `budget` deliveries now; the rest after the
   * next I/O poll, so publish answers and broker replies are not held
   * behind a whole fan-out. Events queued meanwhile wait for the jobs.
   */
  #fanOut(budget: number): void {
    while (this.#jobs.length > 0 && budget > 0) {
      const job = this.#jobs[0];
      const end = Math.min(job.listeners.length, job.next + budget);
      for (let i = job.next; i < end; i++) job.listeners[i](job.batch);
      budget -= end - job.next;
      job.next = end;
      if (job.next < job.listeners.length) break;
      this.#jobs.shift();
      // Sampled once per event and process, after its fan-out.
      const now = Date.now();
      for (const wire of job.batch.events) {
        this.metrics?.deliveryLatency(now - wire.event.time);
      }
    }
    if (this.#jobs.length > 0) this.#afterPoll(() => this.#fanOut(SLICE));
    else if (this.#queued.length > 0) this.#schedule();
  }

  /** Hands the queue on after the next I/O poll. */
  #schedule(): void {
    this.#afterPoll(() => {
      this.#takeQueued();
      this.#fanOut(SLICE);
    });
  }

  /** Runs `step` after the event loop's next I/O poll; handOn() cancels it. */
  #afterPoll(step: () => void): void {
    const immediate = setImmediate(() => {
      this.#cancelHandOn = undefined;
      step();
    });
    this.#cancelHandOn = () => clearImmediate(immediate);
  }

  #lose(entry: Entry, info: LostEvents): void {
    this.log.log("warn", "channel lost events", {
      ...info,
      streams: entry.lost.size,
    });
    // A copy: a handler that ends its stream releases (and removes) itself.
    for (const onLost of [...entry.lost.values()]) onLost(info);
  }

  #release(channel: string, entry: Entry, listener: WireListener): void {
    entry.listeners.delete(listener);
    entry.lost.delete(listener);
    if (entry.listeners.size > 0) return;
    if (this.#entries.get(channel) === entry) this.#entries.delete(channel);
    const done = entry.ready
      .then((unsubscribe) => unsubscribe())
      .catch((err) =>
        this.log.log("warn", "broker unsubscribe failed", {
          channel,
          error: String(err),
        })
      )
      .finally(() => this.#pendingReleases.delete(done));
    this.#pendingReleases.add(done);
  }

  /** Resolves once every released broker subscription has ended. */
  async settled(): Promise<void> {
    while (this.#pendingReleases.size > 0) {
      await Promise.all(this.#pendingReleases);
    }
  }
}

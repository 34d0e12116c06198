/**
 * The Deno KV broker: an ordered log per channel, fan-out between instances
 * by `kv.watch` and by polling, delivered in one id order across channels. A local file by default
 * (`Deno.openKv(path)`); on Deno Deploy, the platform's KV (`Deno.openKv()`).
 * The handle is the process's one for that store (lib/kv/shared.ts), shared
 * with the app store.
 *
 * Keys, under the prefix (default `herald`):
 * - `[p, "clock"]`: the deployment's id clock (µs). Every publish reads it
 *   and writes `max(now, clock + 1)` in the same atomic commit as the log
 *   entry, checked on its versionstamp (retried on conflict), so ids follow
 *   commit order across channels and processes and keep increasing across
 *   restarts. It is also the deployment's head (`head()`): a commit with a
 *   lower id finished before the one that wrote a higher clock read it, so
 *   when the clock says C every event with an id at or below C is visible.
 * - `[p, "log", channel, id]`: `{ e, d, t, seq }` (event name, JSON payload
 *   as UTF-8 bytes, time, position in the channel). Trimmed after each
 *   publish by count and age; `expireIn` also removes entries of abandoned
 *   channels. Entries written before the payload was stored as bytes hold it
 *   as a string; both are read.
 * - `[p, "meta", channel]`: `{ head, seq }`, the channel's newest id, so a
 *   catch-up reads only the logs of channels that moved.
 * - `[p, "trimmed", channel]`: the newest id trimmed by count or age.
 *
 * Fan-out ({@link MergedFeed}): one cursor per process, not one per channel.
 * A catch-up reads the clock, then the `meta` keys of the subscribed channels
 * (one batched read per 10), then the log of each channel that moved, after
 * the cursor and up to the clock, and delivers the merged pages in id order.
 * So every channel this process subscribes to is delivered in ONE id order,
 * which a multi-channel stream needs to resume all channels after one
 * `Last-Event-ID`. A catch-up runs after a local publish, when `watch` sees
 * the clock change, and every `pollMs`. When another process published more events than
 * the history limit on a channel between two catch-ups, the oldest of them
 * are trimmed before this process reads them: that channel's subscribers get
 * `onLost` first, then what history holds.
 *
 * Why a poll as well as `watch`: on a local file, `watch` does not see
 * another process's writes (on Deno 2.9.6 a watcher missed a second process's
 * `set` for 5 s). So while it has subscribers the broker reads the clock
 * every `pollMs` (default 200 ms: another process's event shows up within
 * about a fifth of a second, which still feels live; when nothing was
 * published the tick costs that one read).
 *
 * Limits: a payload must fit a KV value: 64 KiB of UTF-8, less a few dozen
 * bytes of envelope (stored as bytes, not as a JS string, which V8 would
 * serialize as UTF-16 as soon as one character is outside Latin-1). A larger
 * one fails with a {@link PayloadTooLargeError} (HTTP 413); it does not make
 * the broker unhealthy.
 *
 * @example
 * ```ts
 * const broker = await KvBroker.open({ broker: "kv", path: "./data/herald.kv" });
 * await broker.subscribe("room:1", (e) => console.log(e.data));
 * await broker.publish("room:1", { data: "hi" });
 * await broker.close();
 * ```
 * @module
 */
import { openSharedKv, type SharedKv } from "../../kv/shared.ts";
import type {
  Broker,
  BrokerHealth,
  HeraldEvent,
  HistoryOptions,
  LostEvents,
  PublishMessage,
  Unsubscribe,
} from "../types.ts";
import { type HistoryBounds, readLimit, resolveBounds } from "./bounds.ts";
import {
  BrokerClosedError,
  BrokerUnavailableError,
  PayloadTooLargeError,
} from "./errors.ts";
import { eventIdAtTime, formatEventId } from "./event_id.ts";
import type { Listener } from "./listeners.ts";
import { type ChannelPosition, MergedFeed } from "./merged_feed.ts";
import { DEFAULT_KV_POLL_MS, type KvBrokerOptions } from "./options.ts";
import { payloadJson } from "./payload.ts";

interface LogEntry {
  e: string;
  /** The payload as JSON in UTF-8 (a string in entries of older versions). */
  d: Uint8Array | string;
  t: number;
  seq: number;
}
interface Meta {
  head: string;
  seq: number;
}

/** Entries outlive their ttl by this much before KV deletes them itself. */
const EXPIRE_GRACE_MS = 60 * 60 * 1000;
/** Metadata outlives history by this much, so a late resume still learns it has a gap. */
const META_GRACE_MS = 7 * 24 * 60 * 60 * 1000;
const MAX_COMMIT_ATTEMPTS = 50;
/** Entries trimmed at most per publish (each publish adds one). */
const TRIM_BATCH = 16;
const ORIGIN_ID = formatEventId(0);

/** getMany reads at most this many keys. */
const GET_MANY_MAX = 10;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

interface Watcher {
  reader: ReadableStreamDefaultReader<unknown>;
  done: Promise<void>;
}

export class KvBroker implements Broker {
  readonly name = "kv" as const;
  readonly bounds: HistoryBounds;
  readonly pollMs: number;
  #kv: Deno.Kv;
  #shared: SharedKv;
  #prefix: string;
  #feed: MergedFeed;
  #watcher: Watcher | null = null;
  #poll: ReturnType<typeof setInterval> | undefined;
  #publishing: Promise<unknown> = Promise.resolve();
  #lastError = "";
  #closed = false;

  private constructor(shared: SharedKv, options: KvBrokerOptions) {
    this.#shared = shared;
    this.#kv = shared.kv;
    this.bounds = resolveBounds(options.history);
    this.#prefix = options.prefix ?? "herald";
    this.pollMs = options.pollMs ?? DEFAULT_KV_POLL_MS;
    if (!(this.pollMs >= 10)) {
      throw new RangeError(
        `kv poll interval must be ≥ 10 ms, got ${this.pollMs}`,
      );
    }
    this.#feed = new MergedFeed({
      head: async () => (await this.#clock()) ?? ORIGIN_ID,
      readAfter: (positions) => this.#readMoved(positions),
      pageSize: this.bounds.limit,
      trimmedThrough: (channel) => this.trimmedThrough(channel),
      ageCutoff: () => this.#cutoff(),
    }, ORIGIN_ID);
  }

  /** Opens the KV store (`path`, or the platform's KV when none). */
  static async open(options: KvBrokerOptions): Promise<KvBroker> {
    let shared: SharedKv;
    try {
      shared = await openSharedKv(options.path);
    } catch (err) {
      throw new BrokerUnavailableError(
        `kv: cannot open ${options.path ?? "the default store"}: ${
          message(err)
        }`,
        { cause: err },
      );
    }
    try {
      return new KvBroker(shared, options);
    } catch (err) {
      shared.release();
      throw err;
    }
  }

  publish(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    if (this.#closed) return Promise.reject(new BrokerClosedError(this.name));
    // One commit at a time per instance: only other processes cause conflicts.
    const result = this.#publishing.then(() => this.#commit(channel, msg));
    this.#publishing = result.catch(() => {});
    return result;
  }

  async subscribe(
    channel: string,
    onEvent: Listener,
    onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe> {
    this.#open();
    const since = await this.#feed.startOf(channel);
    this.#open();
    this.#feed.add(channel, onEvent, since, onLost);
    this.#follow();
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      if (!this.#feed.remove(channel, onEvent) || this.#feed.size > 0) return;
      await this.#unfollow();
    };
  }

  async history(
    channel: string,
    opts: HistoryOptions = {},
  ): Promise<HeraldEvent[]> {
    this.#open();
    return await this.#read(channel, opts);
  }

  trimmedThrough(channel: string): Promise<string | null> {
    this.#open();
    const cutoff = this.#cutoff();
    const log = this.#key("log", channel);
    return this.#store(async () => {
      const [trimmed, meta] = await this.#kv.getMany<[string, Meta]>([
        this.#key("trimmed", channel),
        this.#key("meta", channel),
      ]);
      const candidates: (string | null)[] = [trimmed.value];
      for await (
        const old of this.#kv.list<LogEntry>({
          prefix: log,
          end: [...log, cutoff],
        }, {
          reverse: true,
          limit: 1,
        })
      ) candidates.push(old.key.at(-1) as string);
      let kept = false;
      for await (
        const _ of this.#kv.list({ prefix: log, start: [...log, cutoff] }, {
          limit: 1,
        })
      ) kept = true;
      if (!kept && meta.value) candidates.push(meta.value.head);
      const ids = candidates.filter((c): c is string => typeof c === "string");
      return ids.length ? ids.reduce((a, b) => (a > b ? a : b)) : null;
    });
  }

  /** The clock: written in the same atomic commit as the log entry. */
  async head(): Promise<string | null> {
    this.#open();
    return await this.#clock();
  }

  health(): BrokerHealth {
    if (this.#closed) {
      return { broker: this.name, healthy: false, detail: "closed" };
    }
    if (this.#lastError) {
      return {
        broker: this.name,
        healthy: false,
        detail: `kv: ${this.#lastError}`,
      };
    }
    return { broker: this.name, healthy: true };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#feed.close();
    await this.#unfollow();
    await this.#publishing;
    this.#shared.release();
  }

  async #commit(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    this.#open();
    const event = msg.event ?? "message";
    const d = payloadJson(msg.data);
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      let stored: { id: string; seq: number; time: number } | null;
      try {
        stored = await this.#tryCommit(channel, event, d);
      } catch (err) {
        if (isValueTooLarge(err)) {
          throw new PayloadTooLargeError(
            `kv: an event must fit a KV value (64 KiB); this payload is ${
              utf8.encode(d).byteLength
            } bytes of JSON`,
            { cause: err },
          );
        }
        // Another process holds the SQLite write lock: a conflict like any other.
        if (!isLocked(err)) throw this.#failure(err);
        stored = null;
      }
      if (stored) {
        this.#lastError = "";
        await this.#trim(channel, stored.seq).catch((err) => {
          // Locked by another writer: a later publish trims instead.
          if (!isLocked(err)) {
            console.error(`herald: kv trim of ${channel} failed`, err);
          }
        });
        // Local subscribers need not wait for the watch or the poll.
        if (this.#feed.size > 0) this.#feed.catchUp().catch(() => {});
        const { id, time } = stored;
        return { id, channel, event, data: JSON.parse(d), time };
      }
      // Another publisher won the race: back off a little, try again.
      await new Promise((r) =>
        setTimeout(r, Math.random() * Math.min(attempt, 10))
      );
    }
    throw new BrokerUnavailableError(
      `kv: publish on ${channel} lost ${MAX_COMMIT_ATTEMPTS} commit races in a row`,
    );
  }

  // One attempt: null when another publisher changed the clock meanwhile.
  async #tryCommit(
    channel: string,
    event: string,
    d: string,
  ): Promise<{ id: string; seq: number; time: number } | null> {
    const clockKey = this.#key("clock");
    const metaKey = this.#key("meta", channel);
    const [clock, meta] = await this.#kv.getMany<[number, Meta]>([
      clockKey,
      metaKey,
    ]);
    const time = Date.now();
    const tick = Math.max(time * 1000, (clock.value ?? 0) + 1);
    const id = formatEventId(tick);
    const seq = (meta.value?.seq ?? 0) + 1;
    const entry: LogEntry = { e: event, d: utf8.encode(d), t: time, seq };
    const res = await this.#kv.atomic()
      .check(clock, meta)
      .set(clockKey, tick)
      .set(this.#key("log", channel, id), entry, {
        expireIn: this.bounds.ttlMs + EXPIRE_GRACE_MS,
      })
      .set(metaKey, { head: id, seq } satisfies Meta, {
        expireIn: this.bounds.ttlMs + META_GRACE_MS,
      })
      .commit();
    return res.ok ? { id, seq, time } : null;
  }

  // Drops the oldest entries beyond the count bound or older than the age bound.
  async #trim(channel: string, seq: number): Promise<void> {
    const floorSeq = seq - this.bounds.limit;
    const cutoff = this.#cutoff();
    const log = this.#key("log", channel);
    const victims: string[] = [];
    for await (
      const entry of this.#kv.list<LogEntry>({ prefix: log }, {
        limit: TRIM_BATCH,
      })
    ) {
      const id = entry.key.at(-1) as string;
      if (entry.value.seq > floorSeq && id >= cutoff) break;
      victims.push(id);
    }
    if (victims.length === 0) return;
    const trimmedKey = this.#key("trimmed", channel);
    const trimmed = await this.#kv.get<string>(trimmedKey);
    const newest = victims.at(-1)!;
    const op = this.#kv.atomic().check(trimmed);
    for (const id of victims) op.delete([...log, id]);
    if (!trimmed.value || trimmed.value < newest) {
      op.set(trimmedKey, newest, {
        expireIn: this.bounds.ttlMs + META_GRACE_MS,
      });
    }
    await op.commit(); // lost a race: another publisher is trimming
  }

  async #read(channel: string, opts: HistoryOptions): Promise<HeraldEvent[]> {
    const limit = readLimit(opts.limit, this.bounds);
    if (limit === 0) return [];
    const log = this.#key("log", channel);
    const cutoff = this.#cutoff();
    return await this.#store(async () => {
      const events: HeraldEvent[] = [];
      if (opts.after === undefined) {
        const iter = this.#kv.list<LogEntry>({
          prefix: log,
          start: [...log, cutoff],
        }, {
          reverse: true,
          limit,
        });
        for await (const entry of iter) events.push(toEvent(channel, entry));
        events.reverse();
      } else {
        const start = opts.after >= cutoff ? opts.after : cutoff;
        const iter = this.#kv.list<LogEntry>({
          prefix: log,
          start: [...log, start],
        }, {
          limit: limit + 1,
        });
        for await (const entry of iter) {
          const event = toEvent(channel, entry);
          if (event.id > opts.after && events.length < limit) {
            events.push(event);
          }
        }
      }
      return events;
    });
  }

  /**
   * One call to the store: a failure makes the broker unhealthy, and a
   * success healthy again (health is the store's latest answer, so a passing
   * failure does not keep `/api/health` at 503 until the next publish).
   */
  async #store<T>(call: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await call();
    } catch (err) {
      throw this.#failure(err);
    }
    this.#lastError = "";
    return result;
  }

  #failure(err: unknown): Error {
    if (this.#closed) return new BrokerClosedError(this.name);
    this.#lastError = message(err);
    return new BrokerUnavailableError(`kv: ${message(err)}`, { cause: err });
  }

  // The clock: the id of the newest event of the deployment, null before the first.
  async #clock(): Promise<string | null> {
    const clock = await this.#store(() =>
      this.#kv.get<number>(this.#key("clock"))
    );
    return clock.value === null ? null : formatEventId(clock.value);
  }

  // Pages of the channels whose head moved past their position; [] for the rest.
  async #readMoved(positions: ChannelPosition[]): Promise<HeraldEvent[][]> {
    const pages: HeraldEvent[][] = positions.map(() => []);
    const batches: number[][] = [];
    for (let i = 0; i < positions.length; i += GET_MANY_MAX) {
      batches.push(
        positions.slice(i, i + GET_MANY_MAX).map((_, j) => i + j),
      );
    }
    await Promise.all(batches.map(async (batch) => {
      const metas = await this.#store(() =>
        this.#kv.getMany<Meta[]>(
          batch.map((i) => this.#key("meta", positions[i].channel)),
        )
      );
      await Promise.all(batch.map(async (i, j) => {
        const { channel, after } = positions[i];
        const head = metas[j].value?.head;
        if (head && head > after) {
          pages[i] = await this.#read(channel, { after });
        }
      }));
    }));
    return pages;
  }

  // While there are subscribers: catch up on every clock change and every poll tick.
  #follow(): void {
    if (this.#poll === undefined) {
      this.#poll = setInterval(() => {
        // A failed read already marked the broker unhealthy (see #store).
        this.#feed.catchUp().catch(() => {});
      }, this.pollMs);
    }
    if (!this.#watcher) {
      const reader = this.#kv.watch([this.#key("clock")]).getReader();
      this.#watcher = { reader, done: this.#watch(reader) };
    }
  }

  async #unfollow(): Promise<void> {
    clearInterval(this.#poll);
    this.#poll = undefined;
    const watcher = this.#watcher;
    this.#watcher = null;
    if (watcher) {
      await watcher.reader.cancel().catch(() => {});
      await watcher.done;
    }
    await this.#feed.idle();
  }

  async #watch(reader: ReadableStreamDefaultReader<unknown>): Promise<void> {
    try {
      while (true) {
        const { done } = await reader.read();
        if (done) return;
        this.#feed.catchUp().catch(() => {/* the feed retries */});
      }
    } catch {
      // The watch ended with the broker (or failed): the poll still runs.
    }
  }

  #cutoff(): string {
    return eventIdAtTime(Date.now() - this.bounds.ttlMs);
  }

  #key(
    kind: "clock" | "log" | "meta" | "trimmed",
    ...rest: string[]
  ): Deno.KvKey {
    return [this.#prefix, kind, ...rest];
  }

  #open(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
  }
}

function toEvent(channel: string, entry: Deno.KvEntry<LogEntry>): HeraldEvent {
  const v = entry.value;
  return {
    id: entry.key.at(-1) as string,
    channel,
    event: v.e,
    data: JSON.parse(typeof v.d === "string" ? v.d : utf8Decoder.decode(v.d)),
    time: v.t,
  };
}

function isValueTooLarge(err: unknown): boolean {
  return err instanceof Error && /value too large/i.test(err.message);
}

function isLocked(err: unknown): boolean {
  return err instanceof Error && /database is locked|busy/i.test(err.message);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

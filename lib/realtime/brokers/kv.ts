/**
 * The Deno KV broker: an ordered log per channel, fan-out between instances
 * by `kv.watch` and by polling. A local file by default
 * (`Deno.openKv(path)`); on Deno Deploy, the platform's KV (`Deno.openKv()`).
 *
 * Keys, under the prefix (default `herald`):
 * - `[p, "clock"]`: the deployment's id clock (µs). Every publish reads it
 *   and writes `max(now, clock + 1)` in the same atomic commit as the log
 *   entry, checked on its versionstamp (retried on conflict), so ids follow
 *   commit order across channels and processes and keep increasing across
 *   restarts.
 * - `[p, "log", channel, id]`: `{ e, d, t, seq }` (event name, JSON payload,
 *   time, position in the channel). Trimmed after each publish by count and
 *   age; `expireIn` also removes entries of abandoned channels.
 * - `[p, "meta", channel]`: `{ head, seq }`, the newest id: the key that
 *   `watch` and the poll look at.
 * - `[p, "trimmed", channel]`: the newest id trimmed by count or age.
 *
 * Why a poll as well as `watch`: on a local file, `watch` does not see
 * another process's writes (on Deno 2.9.6 a watcher missed a second process's
 * `set` for 5 s). So while it has subscribers the broker reads the `meta` key
 * of each subscribed channel every `pollMs` (default 200 ms: another
 * process's event shows up within about a fifth of a second, which still
 * feels live, while the cost stays one small batched read per 10 channels per
 * tick) and catches up a channel whose head moved. Each local subscription
 * gets every event once, in id order (deduplicated by the last delivered id).
 *
 * Limits: a payload must fit a KV value (64 KiB, less the envelope).
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
import type {
  Broker,
  BrokerHealth,
  HeraldEvent,
  HistoryOptions,
  PublishMessage,
  Unsubscribe,
} from "../types.ts";
import { type HistoryBounds, readLimit, resolveBounds } from "./bounds.ts";
import { BrokerClosedError, BrokerUnavailableError } from "./errors.ts";
import { eventIdAtTime, formatEventId } from "./event_id.ts";
import { ChannelFeed } from "./feed.ts";
import type { Listener } from "./listeners.ts";
import { DEFAULT_KV_POLL_MS, type KvBrokerOptions } from "./options.ts";
import { payloadJson } from "./payload.ts";

interface LogEntry {
  e: string;
  d: string;
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

interface Subscription {
  feed: ChannelFeed;
  watcher: ReadableStreamDefaultReader<unknown>;
  watching: Promise<void>;
}

export class KvBroker implements Broker {
  readonly name = "kv" as const;
  readonly bounds: HistoryBounds;
  readonly pollMs: number;
  #kv: Deno.Kv;
  #prefix: string;
  #subs = new Map<string, Subscription>();
  #poll: ReturnType<typeof setInterval> | undefined;
  #polling = false;
  #publishing: Promise<unknown> = Promise.resolve();
  #lastError = "";
  #closed = false;

  private constructor(kv: Deno.Kv, options: KvBrokerOptions) {
    this.#kv = kv;
    this.bounds = resolveBounds(options.history);
    this.#prefix = options.prefix ?? "herald";
    this.pollMs = options.pollMs ?? DEFAULT_KV_POLL_MS;
    if (!(this.pollMs >= 10)) {
      throw new RangeError(
        `kv poll interval must be ≥ 10 ms, got ${this.pollMs}`,
      );
    }
  }

  /** Opens the KV store (`path`, or the platform's KV when none). */
  static async open(options: KvBrokerOptions): Promise<KvBroker> {
    let kv: Deno.Kv;
    try {
      kv = options.path ? await Deno.openKv(options.path) : await Deno.openKv();
    } catch (err) {
      throw new BrokerUnavailableError(
        `kv: cannot open ${options.path ?? "the default store"}: ${
          message(err)
        }`,
        { cause: err },
      );
    }
    try {
      return new KvBroker(kv, options);
    } catch (err) {
      kv.close();
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

  async subscribe(channel: string, onEvent: Listener): Promise<Unsubscribe> {
    this.#open();
    let sub = this.#subs.get(channel);
    if (sub) {
      sub.feed.listeners.add(onEvent);
    } else {
      const newest = await this.#read(channel, { limit: 1 });
      this.#open();
      sub = this.#subs.get(channel); // another subscribe may have won meanwhile
      if (sub) {
        sub.feed.listeners.add(onEvent);
      } else {
        const feed = new ChannelFeed(
          channel,
          newest[0]?.id ?? ORIGIN_ID,
          (after) => this.#read(channel, { after }),
          this.bounds.limit,
        );
        feed.listeners.add(onEvent);
        const watcher = this.#kv.watch([this.#key("meta", channel)])
          .getReader();
        const watching = this.#watch(feed, watcher);
        this.#subs.set(channel, sub = { feed, watcher, watching });
        this.#startPolling();
      }
    }
    const subscribed = sub;
    return async () => {
      subscribed.feed.listeners.delete(onEvent);
      if (
        subscribed.feed.listeners.size > 0 ||
        this.#subs.get(channel) !== subscribed
      ) return;
      this.#subs.delete(channel);
      if (this.#subs.size === 0) this.#stopPolling();
      await this.#release(subscribed);
    };
  }

  async history(
    channel: string,
    opts: HistoryOptions = {},
  ): Promise<HeraldEvent[]> {
    this.#open();
    return await this.#read(channel, opts);
  }

  async trimmedThrough(channel: string): Promise<string | null> {
    this.#open();
    const cutoff = this.#cutoff();
    const log = this.#key("log", channel);
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
    this.#stopPolling();
    const subs = [...this.#subs.values()];
    this.#subs.clear();
    await Promise.all(subs.map((s) => this.#release(s)));
    await this.#publishing;
    this.#kv.close();
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
        this.#subs.get(channel)?.feed.catchUp().catch(() => {});
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
    const entry: LogEntry = { e: event, d, t: time, seq };
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
    const events: HeraldEvent[] = [];
    try {
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
    } catch (err) {
      throw this.#failure(err);
    }
    return events;
  }

  #failure(err: unknown): Error {
    if (this.#closed) return new BrokerClosedError(this.name);
    this.#lastError = message(err);
    return new BrokerUnavailableError(`kv: ${message(err)}`, { cause: err });
  }

  async #watch(
    feed: ChannelFeed,
    watcher: ReadableStreamDefaultReader<unknown>,
  ): Promise<void> {
    try {
      while (true) {
        const { done } = await watcher.read();
        if (done) return;
        feed.catchUp().catch(() => {/* the feed retries */});
      }
    } catch {
      // The watch ended with the broker (or failed): the poll still runs.
    }
  }

  #startPolling(): void {
    if (this.#poll !== undefined) return;
    this.#poll = setInterval(() => {
      if (this.#polling) return;
      this.#polling = true;
      this.#pollOnce()
        .then(() => {
          this.#lastError = "";
        }, (err) => {
          if (!this.#closed) this.#lastError = `poll failed: ${message(err)}`;
        })
        .finally(() => {
          this.#polling = false;
        });
    }, this.pollMs);
  }

  #stopPolling(): void {
    clearInterval(this.#poll);
    this.#poll = undefined;
  }

  // One batched read of the subscribed channels' heads; catch up those that moved.
  async #pollOnce(): Promise<void> {
    const subs = [...this.#subs.values()];
    for (let i = 0; i < subs.length && !this.#closed; i += 10) {
      const batch = subs.slice(i, i + 10);
      const metas = await this.#kv.getMany<Meta[]>(
        batch.map((s) => this.#key("meta", s.feed.channel)),
      );
      metas.forEach((meta, j) => {
        const feed = batch[j].feed;
        if (meta.value && meta.value.head > feed.last) {
          feed.catchUp().catch(() => {/* the feed retries */});
        }
      });
    }
  }

  async #release(sub: Subscription): Promise<void> {
    sub.feed.close();
    await sub.watcher.cancel().catch(() => {});
    await sub.watching;
    await sub.feed.idle();
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
    data: JSON.parse(v.d),
    time: v.t,
  };
}

function isLocked(err: unknown): boolean {
  return err instanceof Error && /database is locked|busy/i.test(err.message);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The Deno KV store of the log broker: a log per channel, the clock, a change feed,
 * fan-out by poll and `kv.watch` (keys and catch-up cost: ARCHITECTURE.md, kv; see
 * ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import { openSharedKv, type SharedKv } from "../../kv/shared.ts";
import { type HeraldEvent, ONCE_TTL_MS } from "../types.ts";
import { type HistoryBounds, resolveBounds } from "./bounds.ts";
import {
  BrokerClosedError,
  BrokerUnavailableError,
  PayloadTooLargeError,
} from "./errors.ts";
import {
  type Append,
  type EventLog,
  type LogFollower,
  type LogRead,
  META_GRACE_MS,
} from "./event_log.ts";
import { eventIdAtTime, formatEventId } from "./event_id.ts";
import { LogBroker } from "./log_broker.ts";
import type { ChannelPosition, FeedPages } from "./merged_feed.ts";
import { DEFAULT_KV_POLL_MS, type KvBrokerOptions } from "./options.ts";
import {
  CONTENDED_MS,
  KnownState,
  type Meta,
  type OldEntry,
  type StoreState,
} from "./kv_known.ts";

/** A log entry of earlier versions (an object; the payload as bytes or, older still, a string). */
interface ObjectEntry {
  e: string;
  d: Uint8Array | string;
  t: number;
  seq: number;
}
/** A log entry: the UTF-8 bytes of `{"e","t","seq","d"}` (exactly as large as KV counts it). */
type LogValue = Uint8Array | ObjectEntry;
interface Entry {
  e: string;
  t: number;
  seq: number;
  d: unknown;
}

/** A KV value holds at most this many bytes. */
const KV_VALUE_MAX = 65536;
/** Entries outlive their ttl by this much before KV deletes them itself. */
const EXPIRE_GRACE_MS = 60 * 60 * 1000;
const MAX_COMMIT_ATTEMPTS = 50;
/**
 * Oldest entries read, and trimmed at most, per commit: each publish adds
 * one, so this catches up, and what a read learns lasts several commits
 * (kv_known.ts).
 */
const TRIM_BATCH = 32;
/** getMany reads at most this many keys. */
const GET_MANY_MAX = 10;
/** Change-feed entries expire after this long (KV deletes them itself). */
const FEED_KEEP_MS = 60 * 60 * 1000;
/**
 * A catch-up reads the change feed only from a position this process saw
 * as the head less than this long ago (well inside FEED_KEEP_MS): every
 * event after it was committed since, so its feed entry is still there.
 * From an older one (a process that stalled) it reads every channel's head.
 */
const FEED_TRUST_MS = 10 * 60 * 1000;
/** Head observations kept at most (older ones only make the feed less trusted). */
const MAX_OBSERVATIONS = 10_000;
/** Change-feed entries read at most per catch-up pass. */
const FEED_PAGE = 1000;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Appends committed together at most (each adds a few mutations and checks to one atomic commit). */
const MAX_BATCH = 8;
/** Payload bytes per batch at most (KV refuses an atomic commit past 800 KiB). */
const MAX_BATCH_BYTES = 256 * 1024;

interface QueuedAppend {
  append: Append;
  resolve: (stored: { id: string; time: number }) => void;
  reject: (err: unknown) => void;
}

/** A committed batch: each append's id and time, the clock it was committed on, the events written. */
interface StoredBatch {
  stored: { id: string; time: number }[];
  /** The clock before the batch, as an id. */
  previous: string;
  events: HeraldEvent[];
}

type BatchOutcome =
  | StoredBatch
  /** `fromPicture`: the attempt relied on the picture, not on a read. */
  | { conflict: true; fromPicture: boolean }
  | { tooLarge: number; error: PayloadTooLargeError };

interface Watcher {
  reader: ReadableStreamDefaultReader<unknown>;
  done: Promise<void>;
}

/** Opens the KV store (`path`, the platform's KV when none, or the handle given). */
export async function openKvBroker(
  options: KvBrokerOptions,
): Promise<LogBroker<KvLog>> {
  let shared: SharedKv;
  if (options.kv) {
    shared = { kv: options.kv, release: () => {} };
  } else {
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
  }
  try {
    const log = new KvLog(shared, options);
    return new LogBroker(log);
  } catch (err) {
    shared.release();
    throw err;
  }
}

/** The kv store: a log per channel, a deployment-wide change feed, watch and poll. */
export class KvLog implements EventLog {
  readonly name = "kv" as const;
  readonly bounds: HistoryBounds;
  readonly pollMs: number;
  #kv: Deno.Kv;
  #shared: SharedKv;
  #prefix: string;
  #follower: LogFollower | null = null;
  #watcher: Watcher | null = null;
  /** The store as this instance's last commit left it (kv_known.ts). */
  #known = new KnownState();
  /** When this instance last marked the store contended. */
  #markedAt = -Infinity;
  #poll: ReturnType<typeof setInterval> | undefined;
  #queue: QueuedAppend[] = [];
  #committing: Promise<void> | null = null;
  #lastError = "";
  #closed = false;
  #now: () => number;
  /**
   * Heads read, oldest first, each with the latest time (taken before its
   * read) it was seen: every event above one was committed after that time.
   */
  #observed: { id: string; at: number }[] = [];
  #onReconnect: (() => void) | undefined;

  constructor(shared: SharedKv, options: KvBrokerOptions) {
    this.#now = options.clock ?? Date.now;
    this.#shared = shared;
    this.#kv = shared.kv;
    this.bounds = resolveBounds(options.history);
    this.#prefix = options.prefix ?? "herald";
    this.pollMs = options.pollMs ?? DEFAULT_KV_POLL_MS;
    this.#onReconnect = options.onReconnect;
    if (!(this.pollMs >= 10)) {
      throw new RangeError(
        `kv poll interval must be ≥ 10 ms, got ${this.pollMs}`,
      );
    }
  }

  /**
   * Queued: one batch of appends commits at a time per instance (only other
   * processes cause conflicts), so publishes that arrive while a commit runs
   * share the next one instead of each waiting for its own.
   */
  append(e: Append): Promise<{ id: string; time: number }> {
    if (this.#closed) return Promise.reject(new BrokerClosedError(this.name));
    return new Promise((resolve, reject) => {
      this.#queue.push({ append: e, resolve, reject });
      this.#committing ??= this.#drain();
    });
  }

  async read(channel: string, opts: LogRead): Promise<HeraldEvent[]> {
    const { after, before, limit, cutoff } = opts;
    const log = this.#key("log", channel);
    const start = after !== undefined && after >= cutoff ? after : cutoff;
    if (before !== undefined && before <= start) return [];
    // Log keys end in the id; a selector's end is exclusive.
    const range = (from: string): Deno.KvListSelector =>
      before === undefined
        ? { prefix: log, start: [...log, from] }
        : { start: [...log, from], end: [...log, before] };
    return await this.#store(async () => {
      const events: HeraldEvent[] = [];
      if (after === undefined) {
        const iter = this.#kv.list<LogValue>(range(cutoff), {
          reverse: true,
          limit,
        });
        for await (const entry of iter) events.push(toEvent(channel, entry));
        events.reverse();
      } else {
        const iter = this.#kv.list<LogValue>(range(start), {
          limit: limit + 1,
        });
        for await (const entry of iter) {
          const id = entry.key.at(-1) as string;
          if (id > after && events.length < limit) {
            events.push(toEvent(channel, entry));
          }
        }
      }
      return events;
    });
  }

  /**
   * Finds the channels that moved in the change feed (one list after the
   * oldest position, whatever the number of channels), then reads only
   * those. From a position older than the feed can be trusted, it reads
   * every channel's head instead.
   */
  async readAfter(
    positions: ChannelPosition[],
    head: string,
    pageSize: number,
    cutoff: string,
  ): Promise<FeedPages> {
    if (positions.length === 0) return { pages: [] };
    const from = positions.reduce(
      (min, p) => p.after < min ? p.after : min,
      positions[0].after,
    );
    if (!this.#feedHolds(from)) {
      return { pages: await this.#readMoved(positions, pageSize, cutoff) };
    }
    const feed = this.#key("feed");
    const moved = new Set<string>();
    let listed = 0;
    let through = head;
    await this.#store(async () => {
      const iter = this.#kv.list<string>({
        start: [...feed, from],
        end: [...feed, head + "\0"],
      }, { limit: FEED_PAGE + 1 });
      for await (const entry of iter) {
        const id = entry.key.at(-1) as string;
        if (id <= from) continue;
        moved.add(entry.value);
        if (++listed === FEED_PAGE) {
          through = id;
          break;
        }
      }
    });
    const pages = await Promise.all(
      positions.map(({ channel, after }) =>
        moved.has(channel)
          ? this.read(channel, { after, limit: pageSize, cutoff })
          : []
      ),
    );
    return { pages, through, moved };
  }

  /** The clock: written in the same atomic commit as the log entry. */
  async head(): Promise<string | null> {
    const at = this.#now();
    const clock = await this.#store(() =>
      this.#kv.get<number>(this.#key("clock"))
    );
    const head = formatEventId(clock.value ?? 0);
    this.#observe(head, at);
    return clock.value === null ? null : head;
  }

  trimmedThrough(channel: string, cutoff: string): Promise<string | null> {
    const log = this.#key("log", channel);
    return this.#store(async () => {
      const [trimmed, meta] = await this.#kv.getMany<[string, Meta]>([
        this.#key("trimmed", channel),
        this.#key("meta", channel),
      ]);
      const candidates: (string | null)[] = [trimmed.value];
      for await (
        const old of this.#kv.list({
          prefix: log,
          end: [...log, cutoff],
        }, { reverse: true, limit: 1 })
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

  follow(follower: LogFollower): void {
    this.#follower = follower;
  }

  // While there are subscribers: catch up on every clock change and every poll tick.
  listen(_channel: string): Promise<void> {
    const follower = this.#follower;
    if (this.#closed || !follower) return Promise.resolve();
    this.#poll ??= setInterval(() => {
      // A failed read already marked the store unhealthy (see #store).
      follower.catchUp().catch(() => {});
    }, this.pollMs);
    if (!this.#watcher) {
      try {
        const reader = this.#kv.watch([this.#key("clock")]).getReader();
        this.#watcher = { reader, done: this.#watch(reader, follower) };
      } catch {
        // No watch here (it is not documented on Deno Deploy): the poll carries events.
      }
    }
    return Promise.resolve();
  }

  async unlisten(_channel: string): Promise<void> {
    if ((this.#follower?.size ?? 0) === 0) await this.#unfollow();
  }

  health(): { healthy: boolean; detail?: string } {
    return this.#lastError
      ? { healthy: false, detail: `kv: ${this.#lastError}` }
      : { healthy: true };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#unfollow();
    await this.#committing;
    this.#shared.release();
  }

  async #drain(): Promise<void> {
    try {
      // One I/O poll of the event loop first: publishes of other connections
      // read in it share this commit (4 closed-loop publishers: 1.3 -> 3.5
      // per commit), and their events then go out as one batch.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.#queue.length > 0) await this.#commit(this.#takeBatch());
    } finally {
      this.#committing = null;
    }
  }

  /**
   * The next batch, in arrival order: at most MAX_BATCH appends and
   * MAX_BATCH_BYTES of payload; a once key at most once (a repeat waits for
   * the next batch, where it finds the first's record), and a channel at
   * most as often as history holds events (so no event of the batch is
   * trimmed by the batch itself).
   */
  #takeBatch(): QueuedAppend[] {
    const batch: QueuedAppend[] = [];
    const rest: QueuedAppend[] = [];
    const perChannel = new Map<string, number>();
    const onces = new Set<string>();
    let bytes = 0;
    for (const queued of this.#queue) {
      const { channel, data, once } = queued.append;
      const count = perChannel.get(channel) ?? 0;
      const fits = batch.length === 0 ||
        (batch.length < MAX_BATCH && bytes + data.length <= MAX_BATCH_BYTES &&
          count < this.bounds.limit &&
          (once === undefined || !onces.has(once)));
      if (!fits) {
        rest.push(queued);
        continue;
      }
      batch.push(queued);
      perChannel.set(channel, count + 1);
      if (once !== undefined) onces.add(once);
      bytes += data.length;
    }
    this.#queue = rest;
    return batch;
  }

  /** Commits one batch, retrying lost races; settles every append of it. */
  async #commit(batch: QueuedAppend[]): Promise<void> {
    let refused: unknown;
    let lost = 0;
    for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
      if (this.#closed) {
        for (const q of batch) q.reject(new BrokerClosedError(this.name));
        return;
      }
      let outcome: BatchOutcome;
      try {
        outcome = await this.#tryCommit(batch.map((q) => q.append));
      } catch (err) {
        // SQLite refuses a write while another process holds its lock (a
        // TypeError, as every refusal of ours would be; the size was checked
        // before): a conflict like any other. Anything else: not now.
        if (!(err instanceof TypeError)) {
          const failure = this.#failure(err);
          for (const q of batch) q.reject(failure);
          return;
        }
        refused = err;
        this.#known.forget(); // another process is writing
        outcome = { conflict: true, fromPicture: false };
      }
      if ("tooLarge" in outcome) {
        // Only that event is refused; the others go on at once.
        batch[outcome.tooLarge].reject(outcome.error);
        batch = batch.filter((_, i) => i !== outcome.tooLarge);
        if (batch.length === 0) return;
        attempt--;
        continue;
      }
      if ("stored" in outcome) {
        this.#lastError = "";
        this.#announce(outcome);
        batch.forEach((q, i) => q.resolve(outcome.stored[i]));
        return;
      }
      // Our picture was stale: read the store and try again at once.
      if (outcome.fromPicture) {
        attempt--;
        continue;
      }
      // Another publisher won the race: back off a little, try again. Lost
      // twice: an instance committing from its picture may be the winner.
      if (++lost >= 2) await this.#markContended();
      await new Promise((r) =>
        setTimeout(r, Math.random() * Math.min(attempt, 10))
      );
    }
    const error = new BrokerUnavailableError(
      `kv: publish on ${
        batch[0].append.channel
      } lost ${MAX_COMMIT_ATTEMPTS} commit races in a row` +
        (refused ? ` (last: ${message(refused)})` : ""),
      { cause: refused },
    );
    for (const q of batch) q.reject(error);
  }

  /**
   * Local subscribers need not wait for the watch or the poll. When the feed
   * has delivered everything up to the clock this batch was committed on,
   * the batch's events are exactly the next ones in id order: they go to
   * the feed as live events, with no read. Otherwise (another process
   * committed in between) the feed catches up from the store.
   */
  #announce({ previous, events }: StoredBatch): void {
    const follower = this.#follower;
    if (!follower || follower.size === 0 || events.length === 0) return;
    if (follower.cursor >= previous) {
      for (const event of events) follower.offer(event);
    } else {
      follower.catchUp().catch(() => {});
    }
  }

  /**
   * One attempt for a batch, in one read phase and one commit: the clock,
   * each channel's meta, trim state and oldest entries, and the once
   * records are read at once (or taken from this instance's picture after
   * its own last commit, when no once key is involved); the commit writes
   * the events (ids from the clock, one after the other) and drops the
   * oldest entries beyond the count bound or older than the age bound. A
   * conflict when another publisher changed the clock or trimmed meanwhile.
   * An append whose once key is already recorded writes nothing and gets
   * the recorded id and time.
   */
  async #tryCommit(appends: Append[]): Promise<BatchOutcome> {
    const clockKey = this.#key("clock");
    const perChannel = new Map<string, number>();
    for (const { channel } of appends) {
      perChannel.set(channel, (perChannel.get(channel) ?? 0) + 1);
    }
    const channels = [...perChannel.keys()];
    const onceKeys = appends.map((a) =>
      a.once === undefined ? null : this.#key("once", a.once)
    );
    const hasOnce = onceKeys.some((key) => key !== null);
    const known = hasOnce ? null : this.#known.for(perChannel, this.#now());
    const { clock, contended, channels: state, once } = known
      ? { ...known, once: [] }
      : await this.#readState(channels, onceKeys);
    const op = this.#kv.atomic().check(clock);
    // A mark made since: another instance lost races to this one's commits.
    if (known) op.check(contended);
    for (const { meta, trimmed } of state.values()) op.check(meta, trimmed);
    const time = this.#now();
    let tick = clock.value ?? 0;
    const stored: { id: string; time: number }[] = [];
    const events: HeraldEvent[] = [];
    const written = new Map<string, OldEntry[]>();
    let nextOnce = 0;
    for (const [i, { channel, event, data }] of appends.entries()) {
      const entries = written.get(channel) ?? [];
      written.set(channel, entries);
      let prior: Deno.KvEntryMaybe<{ id: string; time: number }> | null = null;
      if (onceKeys[i]) {
        prior = once[nextOnce++];
        op.check(prior);
        if (prior.value) {
          stored.push(prior.value);
          continue;
        }
      }
      tick = Math.max(time * 1000, tick + 1);
      const id = formatEventId(tick);
      const seq = 1 +
        (entries.at(-1)?.seq ?? state.get(channel)!.meta.value?.seq ?? 0);
      const entry = utf8.encode(
        `{"e":${JSON.stringify(event)},"t":${time},"seq":${seq},"d":${data}}`,
      );
      if (entry.byteLength > KV_VALUE_MAX) {
        return {
          tooLarge: i,
          error: new PayloadTooLargeError(
            `kv: an event must fit a KV value (64 KiB); this payload is ${
              utf8.encode(data).byteLength
            } bytes of JSON`,
          ),
        };
      }
      if (prior) {
        op.set(onceKeys[i]!, { id, time }, { expireIn: ONCE_TTL_MS });
      }
      op.set(this.#key("log", channel, id), entry, {
        expireIn: this.bounds.ttlMs + EXPIRE_GRACE_MS,
      }).set(this.#key("feed", id), channel, { expireIn: FEED_KEEP_MS });
      entries.push({ id, seq });
      stored.push({ id, time });
      events.push({ id, channel, event, data: JSON.parse(data), time });
    }
    if (events.length === 0) {
      return { stored, previous: formatEventId(clock.value ?? 0), events };
    }
    const cutoff = eventIdAtTime(time - this.bounds.ttlMs);
    /** Each channel written as this commit leaves it, for the picture. */
    const after: {
      channel: string;
      meta: Meta;
      trimmed: string | null;
      oldest: OldEntry[];
      complete: boolean;
    }[] = [];
    for (const [channel, st] of state) {
      const entries = written.get(channel)!;
      const head = entries.at(-1);
      if (!head) continue; // every append was a repeat: the channel is unchanged
      const log = this.#key("log", channel);
      const floorSeq = head.seq - this.bounds.limit;
      let victims = 0;
      for (const old of st.oldest) {
        if (old.seq > floorSeq && old.id >= cutoff) break;
        op.delete([...log, old.id]);
        victims++;
      }
      const newest = st.oldest[victims - 1]?.id;
      let trimmed: string | null = null;
      if (newest && !(st.trimmed.value && st.trimmed.value >= newest)) {
        trimmed = newest;
        op.set(this.#key("trimmed", channel), newest, {
          expireIn: this.bounds.ttlMs + META_GRACE_MS,
        });
      }
      const meta: Meta = { head: head.id, seq: head.seq };
      op.set(this.#key("meta", channel), meta, {
        expireIn: this.bounds.ttlMs + META_GRACE_MS,
      });
      const oldest = st.oldest.slice(victims);
      if (st.complete) oldest.push(...entries);
      after.push({
        channel,
        meta,
        trimmed,
        oldest: oldest.slice(0, TRIM_BATCH),
        complete: st.complete && oldest.length <= TRIM_BATCH,
      });
    }
    const res = await op.set(clockKey, tick).commit();
    if (!res.ok) {
      this.#known.forget();
      return { conflict: true, fromPicture: known !== null };
    }
    // What this commit wrote carries its versionstamp; the rest kept theirs.
    const versionstamp = res.versionstamp;
    this.#known.committed(
      { key: clockKey, value: tick, versionstamp },
      contended,
      new Map(after.map(({ channel, meta, trimmed, oldest, complete }) => {
        const st = state.get(channel)!;
        return [channel, {
          meta: { key: this.#key("meta", channel), value: meta, versionstamp },
          trimmed: trimmed
            ? {
              key: this.#key("trimmed", channel),
              value: trimmed,
              versionstamp,
            }
            : st.trimmed,
          oldest,
          complete,
        }];
      })),
    );
    return { stored, previous: formatEventId(clock.value ?? 0), events };
  }

  /**
   * Tells every instance to read before each commit for CONTENDED_MS: a
   * plain set, which no commit race can refuse, made at most once a second.
   */
  async #markContended(): Promise<void> {
    const now = this.#now();
    if (now - this.#markedAt < 1000) return;
    this.#markedAt = now;
    await this.#kv.set(this.#key("contended"), now, {
      expireIn: 2 * CONTENDED_MS,
    }).catch(() => {/* a failed mark only delays the fairness */});
  }

  /** The clock, the contention mark, each channel's meta, trim state and oldest entries, and the once records, read at once. */
  async #readState(
    channels: string[],
    onceKeys: (Deno.KvKey | null)[],
  ): Promise<
    StoreState & { once: Deno.KvEntryMaybe<{ id: string; time: number }>[] }
  > {
    const keys: Deno.KvKey[] = [this.#key("clock"), this.#key("contended")];
    for (const channel of channels) {
      keys.push(this.#key("meta", channel), this.#key("trimmed", channel));
    }
    for (const key of onceKeys) if (key) keys.push(key);
    const [read, oldest] = await Promise.all([
      getManyBatched(this.#kv, keys),
      Promise.all(channels.map((channel) =>
        Array.fromAsync(
          this.#kv.list<LogValue>({ prefix: this.#key("log", channel) }, {
            limit: TRIM_BATCH + 1,
          }),
        )
      )),
    ]);
    return {
      clock: read[0] as Deno.KvEntryMaybe<number>,
      contended: read[1] as Deno.KvEntryMaybe<number>,
      channels: new Map(channels.map((channel, i) => [channel, {
        meta: read[2 + 2 * i] as Deno.KvEntryMaybe<Meta>,
        trimmed: read[3 + 2 * i] as Deno.KvEntryMaybe<string>,
        oldest: oldest[i].slice(0, TRIM_BATCH).map((entry) => ({
          id: entry.key.at(-1) as string,
          seq: decode(entry.value).seq,
        })),
        complete: oldest[i].length <= TRIM_BATCH,
      }])),
      once: read.slice(2 + 2 * channels.length) as Deno.KvEntryMaybe<
        { id: string; time: number }
      >[],
    };
  }

  #observe(id: string, at: number): void {
    const observed = this.#observed;
    const last = observed.at(-1);
    if (last && last.id === id) last.at = Math.max(last.at, at);
    else observed.push({ id, at });
    const horizon = this.#now() - FEED_TRUST_MS;
    let drop = Math.max(0, observed.length - MAX_OBSERVATIONS);
    while (drop < observed.length && observed[drop].at < horizon) drop++;
    if (drop > 0) observed.splice(0, drop);
  }

  // Whether the change feed still holds every event after `from`: this
  // process saw a head at or below it recently (see FEED_TRUST_MS).
  #feedHolds(from: string): boolean {
    const horizon = this.#now() - FEED_TRUST_MS;
    return this.#observed.some((o) => o.id <= from && o.at >= horizon);
  }

  // The fallback catch-up: the head of every channel (one batched read per
  // 10), then the log of each channel that moved past its position.
  async #readMoved(
    positions: ChannelPosition[],
    pageSize: number,
    cutoff: string,
  ): Promise<HeraldEvent[][]> {
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
          pages[i] = await this.read(channel, {
            after,
            limit: pageSize,
            cutoff,
          });
        }
      }));
    }));
    return pages;
  }

  /**
   * One call to the store: a failure makes the store unhealthy, and a
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
    if (this.#lastError) {
      this.#lastError = "";
      this.#onReconnect?.(); // the store answers again
    }
    return result;
  }

  // Every error of the store's own is "not now" (HTTP 503): the inputs it
  // could refuse (payload size, key size) are checked before it is called.
  #failure(err: unknown): Error {
    if (this.#closed) return new BrokerClosedError(this.name);
    if (err instanceof PayloadTooLargeError) return err;
    this.#lastError = message(err);
    return new BrokerUnavailableError(`kv: ${message(err)}`, { cause: err });
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
    await this.#follower?.idle(); // no read left running after the last unsubscribe
  }

  async #watch(
    reader: ReadableStreamDefaultReader<unknown>,
    follower: LogFollower,
  ): Promise<void> {
    try {
      while (true) {
        const { done } = await reader.read();
        if (done) return;
        follower.catchUp().catch(() => {/* the feed retries */});
      }
    } catch {
      // The watch ended with the store (or failed): the poll still runs.
    }
  }

  #key(
    kind: "clock" | "contended" | "log" | "meta" | "trimmed" | "feed" | "once",
    ...rest: string[]
  ): Deno.KvKey {
    return [this.#prefix, kind, ...rest];
  }
}

/** `getMany` over any number of keys, GET_MANY_MAX at a time, all at once. */
async function getManyBatched(
  kv: Deno.Kv,
  keys: Deno.KvKey[],
): Promise<Deno.KvEntryMaybe<unknown>[]> {
  const parts: Promise<Deno.KvEntryMaybe<unknown>[]>[] = [];
  for (let i = 0; i < keys.length; i += GET_MANY_MAX) {
    parts.push(kv.getMany<unknown[]>(keys.slice(i, i + GET_MANY_MAX)));
  }
  return (await Promise.all(parts)).flat();
}

function decode(value: LogValue): Entry {
  if (value instanceof Uint8Array) return JSON.parse(utf8Decoder.decode(value));
  const d = typeof value.d === "string" ? value.d : utf8Decoder.decode(value.d);
  return { e: value.e, t: value.t, seq: value.seq, d: JSON.parse(d) };
}

function toEvent(channel: string, entry: Deno.KvEntry<LogValue>): HeraldEvent {
  const { e, t, d } = decode(entry.value);
  return {
    id: entry.key.at(-1) as string,
    channel,
    event: e,
    data: d,
    time: t,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

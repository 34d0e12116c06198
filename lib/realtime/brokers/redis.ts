/**
 * The Redis broker (ioredis): live fan-out by pub/sub, a capped history per
 * channel in a Redis stream, both written by one Lua script (see
 * redis_scripts.ts). Works with `redis://` and `rediss://` (TLS, e.g.
 * Upstash: `rediss://default:pw@host:port`); needs Redis 6.2+.
 *
 * Per process: ONE subscriber connection for all channels plus one command
 * connection. When Redis goes away both reconnect on their own (backoff up to
 * 2 s, forever); meanwhile `health()` is unhealthy with the reason, and
 * `publish`, `history` and `subscribe` reject at once with a
 * {@link BrokerUnavailableError} (no offline queue); a command the lost
 * connection cut off fails and is not sent again, and a publish carries a
 * deadline in Redis's clock that the script checks (redis_deadline.ts), so a
 * publish answered with an error never takes effect later, even on a Redis
 * that stalled and resumed. Once both are back it
 * holds live events, subscribes every channel again, and catches up from
 * history after the last id it delivered, so subscribers miss nothing that
 * history still holds. When more events than the history limit were
 * published meanwhile, history was trimmed past that id: the subscribers of
 * that channel get `onLost` first (see {@link MergedFeed}), never a silent
 * skip.
 *
 * Order across channels ({@link MergedFeed}): the publish script assigns the
 * id and PUBLISHes atomically, and the one subscriber connection receives
 * messages in publish order, so live events of all channels arrive in one id
 * order. The catch-up after a reconnect reads the clock first, then every
 * channel up to it, and delivers them merged in id order before the live
 * events that waited — a multi-channel stream can resume every channel after
 * one `Last-Event-ID`.
 *
 * `head()` is that clock (`{prefix}:clock`): the script sets it in the same
 * atomic step as the log entry, so every id at or below it is in history.
 *
 * @example
 * ```ts
 * const broker = await RedisBroker.connect({ broker: "redis", url: "redis://127.0.0.1:6379", prefix: "herald" });
 * await broker.subscribe("room:1", (e) => console.log(e.id, e.data));
 * await broker.publish("room:1", { event: "chat", data: { text: "hi" } });
 * await broker.close();
 * ```
 * @module
 */
import { Redis, type RedisOptions, ReplyError } from "ioredis";
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
import { BrokerClosedError, BrokerUnavailableError } from "./errors.ts";
import { eventIdAtTime, eventIdClock, formatEventId } from "./event_id.ts";
import type { Listener } from "./listeners.ts";
import { type ChannelPosition, MergedFeed } from "./merged_feed.ts";
import type { RedisBrokerOptions } from "./options.ts";
import { payloadJson } from "./payload.ts";
import { RedisDeadlines } from "./redis_deadline.ts";
import { PUBLISH_SCRIPT, TRIMMED_SCRIPT } from "./redis_scripts.ts";

/** Metadata outlives history by this much, so a late resume still learns it has a gap. */
const META_GRACE_MS = 7 * 24 * 60 * 60 * 1000;
/**
 * Redis error codes that mean "not now" (HTTP 503), not a bug: our expired
 * publish, a server loading or busy with a script, a read-only replica, out of memory.
 */
const UNAVAILABLE_CODES = new Set([
  "HERALD_EXPIRED",
  "LOADING",
  "BUSY",
  "MASTERDOWN",
  "READONLY",
  "TRYAGAIN",
  "CLUSTERDOWN",
  "OOM",
]);
/** The id before every id: a feed of an empty channel starts here. */
const ORIGIN_ID = formatEventId(0);

type Commands = Redis & {
  heraldPublish(...args: (string | number)[]): Promise<[string, string]>;
  heraldTrimmed(...args: string[]): Promise<string | null>;
};

export class RedisBroker implements Broker {
  readonly name = "redis" as const;
  readonly bounds: HistoryBounds;
  readonly prefix: string;
  #cmd: Commands;
  #sub: Redis;
  #feed: MergedFeed;
  #subscribing = new Map<string, Promise<unknown>>();
  #lastError = "";
  #closed = false;
  #wasReady = false;
  #timeoutMs: number;
  #deadlines: RedisDeadlines;

  private constructor(options: RedisBrokerOptions) {
    this.bounds = resolveBounds(options.history);
    this.prefix = options.prefix ?? "herald";
    this.#feed = new MergedFeed({
      head: async () => (await this.#clock()) ?? ORIGIN_ID,
      readAfter: (positions) => this.#readAll(positions),
      pageSize: this.bounds.limit,
      trimmedThrough: (channel) => this.trimmedThrough(channel),
      ageCutoff: () => eventIdAtTime(Date.now() - this.bounds.ttlMs),
    }, ORIGIN_ID);
    this.#timeoutMs = options.commandTimeoutMs ?? 5000;
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResubscribe: false, // we resubscribe ourselves, then catch up
      connectTimeout: 5000,
      commandTimeout: this.#timeoutMs,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    };
    this.#cmd = new Redis(options.url, {
      ...common,
      connectionName: "herald-cmd",
      // A command cut off by a lost connection fails (its timeout rejects it:
      // a publish answers 503) and is never sent again after the reconnect,
      // where a publish the caller was told had failed would then take effect.
      autoResendUnfulfilledCommands: false,
    }) as Commands;
    this.#sub = new Redis(options.url, {
      ...common,
      connectionName: "herald-sub",
      // Subscribing blocks no command: no timeout on this connection.
      commandTimeout: undefined,
    });
    this.#cmd.defineCommand("heraldPublish", {
      numberOfKeys: 3,
      lua: PUBLISH_SCRIPT,
    });
    this.#cmd.defineCommand("heraldTrimmed", {
      numberOfKeys: 2,
      lua: TRIMMED_SCRIPT,
    });
    for (const conn of [this.#cmd, this.#sub]) {
      conn.on("error", (err: Error) => {
        this.#lastError = err.message;
      });
    }
    this.#sub.on(
      "message",
      (live: string, payload: string) => this.#onMessage(live, payload),
    );
    this.#deadlines = new RedisDeadlines(() => this.#cmd.time());
    this.#sub.on("ready", () => this.#onSubscriberReady());
    this.#cmd.on("ready", () => {
      // Redis may have come back with another clock (a failover, a restart).
      if (this.#wasReady) this.#deadlines.sync().catch(() => {});
      this.#onSubscriberReady();
    });
  }

  /** Connects both connections; rejects with a {@link BrokerUnavailableError} when Redis does not answer. */
  static async connect(options: RedisBrokerOptions): Promise<RedisBroker> {
    const broker = new RedisBroker(options);
    try {
      await Promise.all([broker.#cmd.connect(), broker.#sub.connect()]);
      await broker.#deadlines.sync();
    } catch (err) {
      await broker.close();
      throw new BrokerUnavailableError(
        `redis: cannot connect to ${redactUrl(options.url)}: ${message(err)}`,
        { cause: err },
      );
    }
    broker.#wasReady = true;
    return broker;
  }

  /**
   * A publish that fails never takes effect later: it carries a deadline in
   * Redis's clock that has passed by the time it is answered with an error
   * (see redis_deadline.ts), and the script refuses to run past it. A failure
   * before then (the connection dropped with the command maybe on the wire)
   * waits for the deadline before it is reported.
   */
  async publish(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    this.#ready();
    const event = msg.event ?? "message";
    const data = payloadJson(msg.data);
    const deadline = await this.#call(() =>
      this.#deadlines.next(this.#timeoutMs)
    );
    let reply: [string, string];
    try {
      reply = await this.#cmd.heraldPublish(
        this.#key("clock"),
        this.#key("log", channel),
        this.#key("meta", channel),
        this.#live(channel),
        event,
        JSON.stringify(event),
        data,
        this.bounds.limit,
        this.bounds.ttlMs,
        this.bounds.ttlMs + META_GRACE_MS,
        deadline.redisUs,
      );
    } catch (err) {
      if (!(err instanceof ReplyError)) {
        const wait = deadline.giveUpAt - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      throw this.#failure(err);
    }
    const [id, time] = reply;
    return { id, channel, event, data: JSON.parse(data), time: Number(time) };
  }

  async subscribe(
    channel: string,
    onEvent: Listener,
    onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe> {
    this.#ready();
    const since = await this.#feed.startOf(channel);
    if (this.#feed.add(channel, onEvent, since, onLost)) {
      const subscribing = this.#call(() =>
        this.#sub.subscribe(this.#live(channel))
      );
      this.#subscribing.set(channel, subscribing);
      try {
        await subscribing; // the reply comes once Redis has subscribed
      } catch (err) {
        this.#feed.remove(channel, onEvent);
        throw err;
      } finally {
        this.#subscribing.delete(channel);
      }
    } else {
      // Live once the first subscriber's SUBSCRIBE is in place.
      await this.#subscribing.get(channel)?.catch((err) => {
        this.#feed.remove(channel, onEvent);
        throw err;
      });
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      if (!this.#feed.remove(channel, onEvent)) return;
      if (this.#sub.status === "ready") {
        await this.#sub.unsubscribe(this.#live(channel)).catch(() => {
          // Disconnected meanwhile: the new connection will not resubscribe it.
        });
      }
    };
  }

  async history(
    channel: string,
    opts: HistoryOptions = {},
  ): Promise<HeraldEvent[]> {
    this.#ready();
    return await this.#read(channel, opts);
  }

  async trimmedThrough(channel: string): Promise<string | null> {
    this.#ready();
    const cutoff = streamId(eventIdAtTime(Date.now() - this.bounds.ttlMs));
    const trimmed = await this.#call(() =>
      this.#cmd.heraldTrimmed(
        this.#key("log", channel),
        this.#key("meta", channel),
        cutoff,
      )
    );
    return trimmed ? heraldId(trimmed) : null;
  }

  /** The clock: the publish script sets it in the same atomic step as the log entry. */
  async head(): Promise<string | null> {
    this.#ready();
    return await this.#clock();
  }

  health(): BrokerHealth {
    if (this.#closed) {
      return { broker: this.name, healthy: false, detail: "closed" };
    }
    const cmd = this.#cmd.status;
    const sub = this.#sub.status;
    if (cmd === "ready" && sub === "ready") {
      return { broker: this.name, healthy: true };
    }
    return {
      broker: this.name,
      healthy: false,
      detail: `redis connection ${cmd === "ready" ? sub : cmd}, reconnecting` +
        (this.#lastError ? `: ${this.#lastError}` : ""),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#feed.close();
    await Promise.all([this.#cmd, this.#sub].map(closeConnection));
  }

  // Both connections are back after an outage: hold live events, resubscribe,
  // then catch up every channel merged in id order (reading only after the
  // subscription is in place, so nothing falls between the two).
  async #onSubscriberReady(): Promise<void> {
    if (!this.#wasReady || this.#closed) return;
    if (this.#cmd.status !== "ready" || this.#sub.status !== "ready") return;
    const channels = this.#feed.channels();
    if (channels.length === 0) return;
    this.#feed.hold();
    try {
      await this.#sub.subscribe(...channels.map((ch) => this.#live(ch)));
    } catch {
      return; // lost again: the next "ready" does this again
    }
    await this.#feed.catchUp().catch(() => {/* the feed retries */});
  }

  #onMessage(live: string, payload: string): void {
    const channel = live.slice(this.#live("").length);
    let parsed: Omit<HeraldEvent, "channel">;
    try {
      parsed = JSON.parse(payload);
    } catch {
      // Not ours: the catch-up after the next event still finds what history holds.
      return;
    }
    this.#feed.offer({ ...parsed, channel });
  }

  // The clock: the id of the newest event of the deployment, null before the first.
  async #clock(): Promise<string | null> {
    const clock = await this.#call(() => this.#cmd.get(this.#key("clock")));
    return clock === null ? null : formatEventId(Number(clock));
  }

  // One XRANGE per channel, all sent at once on the command connection.
  #readAll(positions: ChannelPosition[]): Promise<HeraldEvent[][]> {
    return Promise.all(
      positions.map(({ channel, after }) => this.#read(channel, { after })),
    );
  }

  async #read(channel: string, opts: HistoryOptions): Promise<HeraldEvent[]> {
    const limit = readLimit(opts.limit, this.bounds);
    if (limit === 0) return [];
    const key = this.#key("log", channel);
    const cutoff = eventIdAtTime(Date.now() - this.bounds.ttlMs);
    let entries: [string, string[]][];
    if (opts.after !== undefined && opts.after >= cutoff) {
      // Ids are minted `<clock>-0000`: every id after `after` has a larger clock.
      const start = "(" + String(eventIdClock(opts.after)) + "-0";
      entries = await this.#call(() =>
        this.#cmd.xrange(key, start, "+", "COUNT", limit)
      );
    } else if (opts.after !== undefined) {
      entries = await this.#call(() =>
        this.#cmd.xrange(key, streamId(cutoff), "+", "COUNT", limit)
      );
    } else {
      entries = (await this.#call(() =>
        this.#cmd.xrevrange(key, "+", streamId(cutoff), "COUNT", limit)
      )).reverse();
    }
    return entries.map(([sid, fields]) => toEvent(channel, sid, fields));
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#failure(err);
    }
  }

  // A reply from Redis is classified by its error code; anything else ioredis
  // rejects with (connection closed, not writeable, timed out, retries spent)
  // means Redis did not answer.
  #failure(err: unknown): unknown {
    if (this.#closed) return new BrokerClosedError(this.name);
    if (err instanceof ReplyError) {
      const code = (err as Error).message.split(" ", 1)[0];
      if (!UNAVAILABLE_CODES.has(code)) return err;
    }
    return new BrokerUnavailableError(`redis unavailable: ${message(err)}`, {
      cause: err,
    });
  }

  #ready(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
    const health = this.health();
    if (!health.healthy) {
      throw new BrokerUnavailableError(health.detail ?? "redis unavailable");
    }
  }

  #key(kind: "clock" | "log" | "meta", channel?: string): string {
    return channel === undefined
      ? `${this.prefix}:${kind}`
      : `${this.prefix}:${kind}:${channel}`;
  }

  #live(channel: string): string {
    return `${this.prefix}:live:${channel}`;
  }
}

function toEvent(channel: string, sid: string, fields: string[]): HeraldEvent {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return {
    id: heraldId(sid),
    channel,
    event: f.e,
    data: JSON.parse(f.d),
    time: Number(f.t),
  };
}

/** A stream id `<clock>-0` as a Herald id. */
function heraldId(sid: string): string {
  return formatEventId(Number(sid.slice(0, sid.indexOf("-"))));
}

/** A Herald id as the stream id of the same clock. */
function streamId(id: string): string {
  return `${eventIdClock(id)}-0`;
}

async function closeConnection(conn: Redis): Promise<void> {
  // Without a socket (never connected, or waiting to reconnect) there is no
  // "end" to wait for: disconnect() just cancels the reconnect timer.
  if (!["connecting", "connect", "ready"].includes(conn.status)) {
    conn.disconnect();
    return;
  }
  const ended = new Promise<void>((resolve) =>
    conn.once("end", () => resolve())
  );
  if (conn.status === "ready") {
    await conn.quit().catch(() => conn.disconnect());
  } else {
    conn.disconnect();
  }
  await ended;
}

function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

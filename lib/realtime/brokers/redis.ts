/**
 * The Redis store of the log broker (ioredis): a capped stream per channel, one Lua
 * publish script, one subscriber connection per process, reconnects and publish
 * deadlines (ARCHITECTURE.md, redis; see ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import { Redis, type RedisOptions, ReplyError } from "ioredis";
import { type HeraldEvent, ONCE_TTL_MS } from "../types.ts";
import { type HistoryBounds, resolveBounds } from "./bounds.ts";
import { BrokerClosedError, BrokerUnavailableError } from "./errors.ts";
import {
  type Append,
  type EventLog,
  type LogFollower,
  type LogRead,
  META_GRACE_MS,
} from "./event_log.ts";
import { eventIdClock, formatEventId } from "./event_id.ts";
import { LogBroker } from "./log_broker.ts";
import type { ChannelPosition, FeedPages } from "./merged_feed.ts";
import type { RedisBrokerOptions } from "./options.ts";
import {
  connectFailure,
  type RedisTarget,
  tlsOptions,
} from "./redis_target.ts";
import { RedisDeadlines } from "./redis_deadline.ts";
import { PUBLISH_SCRIPT, TRIMMED_SCRIPT } from "./redis_scripts.ts";

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

type Commands = Redis & {
  heraldPublish(...args: (string | number)[]): Promise<[string, string]>;
  heraldTrimmed(...args: string[]): Promise<string | null>;
};

/** Connects to Redis; rejects with a {@link BrokerUnavailableError} when it does not answer. */
export async function connectRedisBroker(
  options: RedisBrokerOptions,
): Promise<LogBroker<RedisLog>> {
  const log = new RedisLog(options);
  await log.connect();
  return new LogBroker(log);
}

/** The redis store: streams per channel, one script per publish, pub/sub for live events. */
export class RedisLog implements EventLog {
  readonly name = "redis" as const;
  readonly bounds: HistoryBounds;
  readonly prefix: string;
  #cmd: Commands;
  #sub: Redis;
  #follower: LogFollower | null = null;
  #lastError = "";
  #closed = false;
  #wasReady = false;
  /** A connection closed since both were last ready. */
  #lost = false;
  #onReconnect: (() => void) | undefined;
  #timeoutMs: number;
  #deadlines: RedisDeadlines;
  #target: RedisTarget;

  constructor(options: RedisBrokerOptions) {
    this.bounds = resolveBounds(options.history);
    this.prefix = options.prefix ?? "herald";
    this.#target = { url: options.url, tlsCa: options.tlsCa };
    this.#timeoutMs = options.commandTimeoutMs ?? 5000;
    this.#onReconnect = options.onReconnect;
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResubscribe: false, // we resubscribe ourselves, then catch up
      connectTimeout: 5000,
      commandTimeout: this.#timeoutMs,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    };
    const tls = tlsOptions(this.#target);
    this.#cmd = new Redis(options.url, {
      ...tls,
      ...common,
      connectionName: "herald-cmd",
      // A command cut off by a lost connection fails (a publish answers 503)
      // and is never sent again after the reconnect.
      autoResendUnfulfilledCommands: false,
    }) as Commands;
    this.#sub = new Redis(options.url, {
      ...tls,
      ...common,
      connectionName: "herald-sub",
      // Subscribing blocks no command: no timeout on this connection.
      commandTimeout: undefined,
    });
    this.#cmd.defineCommand("heraldPublish", {
      numberOfKeys: 4,
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
      conn.on("close", () => {
        if (this.#wasReady) this.#lost = true;
      });
    }
    this.#sub.on(
      "message",
      (live: string, payload: string) => this.#onMessage(live, payload),
    );
    this.#deadlines = new RedisDeadlines(() => this.#cmd.time());
    this.#sub.on("ready", () => this.#onReady());
    this.#cmd.on("ready", () => {
      // Redis may have come back with another clock (a failover, a restart).
      if (this.#wasReady) this.#deadlines.sync().catch(() => {});
      this.#onReady();
    });
  }

  /** Connects both connections and reads Redis's clock. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.#cmd.connect(), this.#sub.connect()]);
      await this.#deadlines.sync();
    } catch (err) {
      await this.close();
      throw new BrokerUnavailableError(
        connectFailure(this.#target, err, this.#lastError),
        { cause: err },
      );
    }
    this.#wasReady = true;
  }

  /**
   * A publish that fails never takes effect later: it carries a deadline in
   * Redis's clock that has passed by the time it is answered with an error
   * (see redis_deadline.ts), and the script refuses to run past it. A failure
   * before then (the connection dropped with the command maybe on the wire)
   * waits for the deadline before it is reported.
   */
  async append(
    { channel, event, data, once }: Append,
  ): Promise<{ id: string; time: number }> {
    this.#ready();
    const deadline = await this.#call(() =>
      this.#deadlines.next(this.#timeoutMs)
    );
    try {
      const [id, time] = await this.#cmd.heraldPublish(
        this.#key("clock"),
        this.#key("log", channel),
        this.#key("meta", channel),
        this.#key("once", once ?? "-"),
        this.#live(channel),
        event,
        JSON.stringify(event),
        data,
        this.bounds.limit,
        this.bounds.ttlMs,
        this.bounds.ttlMs + META_GRACE_MS,
        deadline.redisUs,
        once === undefined ? "" : ONCE_TTL_MS,
        0, // PUBLISH, one clock for the deployment
      );
      return { id, time: Number(time) };
    } catch (err) {
      if (!(err instanceof ReplyError)) {
        const wait = deadline.giveUpAt - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      throw this.#failure(err);
    }
  }

  async read(channel: string, opts: LogRead): Promise<HeraldEvent[]> {
    this.#ready();
    return await this.#call(() =>
      readChannel(this.#cmd, this.#key("log", channel), channel, opts)
    );
  }

  // One XRANGE per channel, all sent at once on the command connection. Only
  // after an outage: live events come by pub/sub.
  async readAfter(
    positions: ChannelPosition[],
    _head: string,
    pageSize: number,
    cutoff: string,
  ): Promise<FeedPages> {
    const pages = await Promise.all(
      positions.map(({ channel, after }) =>
        this.read(channel, { after, limit: pageSize, cutoff })
      ),
    );
    return { pages };
  }

  /** The clock: the publish script sets it in the same atomic step as the log entry. */
  async head(): Promise<string | null> {
    this.#ready();
    const clock = await this.#call(() => this.#cmd.get(this.#key("clock")));
    return clock === null ? null : formatEventId(Number(clock));
  }

  async trimmedThrough(
    channel: string,
    cutoff: string,
  ): Promise<string | null> {
    this.#ready();
    const trimmed = await this.#call(() =>
      this.#cmd.heraldTrimmed(
        this.#key("log", channel),
        this.#key("meta", channel),
        streamId(cutoff),
      )
    );
    return trimmed ? heraldId(trimmed) : null;
  }

  follow(follower: LogFollower): void {
    this.#follower = follower;
  }

  async listen(channel: string): Promise<void> {
    this.#ready();
    // The reply comes once Redis has subscribed.
    await this.#call(() => this.#sub.subscribe(this.#live(channel)));
  }

  async unlisten(channel: string): Promise<void> {
    if (this.#sub.status !== "ready") return; // the new connection will not resubscribe it
    await this.#sub.unsubscribe(this.#live(channel)).catch(() => {});
  }

  health(): { healthy: boolean; detail?: string } {
    const cmd = this.#cmd.status;
    const sub = this.#sub.status;
    if (cmd === "ready" && sub === "ready") return { healthy: true };
    return {
      healthy: false,
      detail: `redis connection ${cmd === "ready" ? sub : cmd}, reconnecting` +
        (this.#lastError ? `: ${this.#lastError}` : ""),
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([this.#cmd, this.#sub].map(closeConnection));
  }

  // Both connections are back after an outage: hold live events, resubscribe,
  // then catch up every channel merged in id order (reading only after the
  // subscription is in place, so nothing falls between the two).
  async #onReady(): Promise<void> {
    if (!this.#wasReady || this.#closed) return;
    if (this.#cmd.status !== "ready" || this.#sub.status !== "ready") return;
    if (this.#lost) {
      this.#lost = false;
      this.#onReconnect?.();
    }
    const follower = this.#follower;
    if (!follower) return;
    const channels = follower.channels();
    if (channels.length === 0) return;
    follower.hold();
    try {
      await this.#sub.subscribe(...channels.map((ch) => this.#live(ch)));
    } catch {
      return; // lost again: the next "ready" does this again
    }
    await follower.catchUp().catch(() => {/* the feed retries */});
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
    this.#follower?.offer({ ...parsed, channel });
  }

  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.#failure(err);
    }
  }

  #failure(err: unknown): unknown {
    return this.#closed ? new BrokerClosedError(this.name) : redisFailure(err);
  }

  // Fail at once while a connection is down (no offline queue).
  #ready(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
    const health = this.health();
    if (!health.healthy) {
      throw new BrokerUnavailableError(health.detail ?? "redis unavailable");
    }
  }

  #key(kind: "clock" | "log" | "meta" | "once", channel?: string): string {
    return channel === undefined
      ? `${this.prefix}:${kind}`
      : `${this.prefix}:${kind}:${channel}`;
  }

  #live(channel: string): string {
    return `${this.prefix}:live:${channel}`;
  }
}

/**
 * A reply from Redis is classified by its error code; anything else ioredis
 * rejects with (connection closed, not writeable, timed out, retries spent)
 * means Redis did not answer.
 */
export function redisFailure(err: unknown): unknown {
  if (err instanceof ReplyError) {
    const code = (err as Error).message.split(" ", 1)[0];
    if (!UNAVAILABLE_CODES.has(code)) return err;
  }
  return new BrokerUnavailableError(`redis unavailable: ${message(err)}`, {
    cause: err,
  });
}

/** One channel's history read from its stream `key` (see {@link LogRead}). */
export async function readChannel(
  conn: Pick<Redis, "xrange" | "xrevrange">,
  key: string,
  channel: string,
  { after, before, limit, cutoff }: LogRead,
): Promise<HeraldEvent[]> {
  let entries: [string, string[]][];
  // Ids are minted `<clock>-0000`: an id's clock orders it among the others.
  const end = before === undefined ? "+" : "(" + streamId(before);
  if (before !== undefined && before <= cutoff) {
    entries = [];
  } else if (after !== undefined && after >= cutoff) {
    const start = "(" + String(eventIdClock(after)) + "-0";
    entries = await conn.xrange(key, start, end, "COUNT", limit);
  } else if (after !== undefined) {
    entries = await conn.xrange(key, streamId(cutoff), end, "COUNT", limit);
  } else {
    entries = (await conn.xrevrange(key, end, streamId(cutoff), "COUNT", limit))
      .reverse();
  }
  return entries.map(([sid, fields]) => toEvent(channel, sid, fields));
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
export function heraldId(sid: string): string {
  return formatEventId(Number(sid.slice(0, sid.indexOf("-"))));
}

/** A Herald id as the stream id of the same clock. */
export function streamId(id: string): string {
  return `${eventIdClock(id)}-0`;
}

export async function closeConnection(conn: Redis): Promise<void> {
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

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

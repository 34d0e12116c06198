/**
 * What the two Redis stores (single server, cluster) share: the publish with its
 * deadline, history reads, the trim query, and the classification of Redis's errors.
 *
 * @module
 */
import type { Cluster, Redis } from "ioredis";
import { ReplyError } from "ioredis";
import { type HeraldEvent, ONCE_TTL_MS } from "../types.ts";
import { type HistoryBounds, resolveBounds } from "./bounds.ts";
import { BrokerClosedError, BrokerUnavailableError } from "./errors.ts";
import { type Append, type LogRead, META_GRACE_MS } from "./event_log.ts";
import {
  CLOCK_DIGITS,
  eventIdClock,
  formatEventId,
  STORE_ORIGIN,
} from "./event_id.ts";
import type { ChannelPosition, FeedPages } from "./merged_feed.ts";
import type { RedisBrokerOptions } from "./options.ts";
import type { RedisDeadlines } from "./redis_deadline.ts";
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

/** A command client with the broker's scripts defined (see {@link defineScripts}). */
export type RedisCommands = (Redis | Cluster) & {
  heraldPublish(...args: (string | number)[]): Promise<[string, string]>;
  heraldTrimmed(...args: string[]): Promise<string | null>;
};

/** Defines the publish and trim scripts on `client`. */
export function defineScripts(client: Redis | Cluster): RedisCommands {
  client.defineCommand("heraldPublish", {
    numberOfKeys: 4,
    lua: PUBLISH_SCRIPT,
  });
  client.defineCommand("heraldTrimmed", {
    numberOfKeys: 2,
    lua: TRIMMED_SCRIPT,
  });
  return client as RedisCommands;
}

/** The keys and the live channel of one publish (see PUBLISH_SCRIPT). */
export interface PublishTarget {
  clock: string;
  log: string;
  meta: string;
  once: string;
  live: string;
  /** Redis Cluster: the channel's own clock, SPUBLISH. */
  sharded: boolean;
  /** The ids' origin tag (Redis Cluster: the master's, so two masters never mint one id); default `0000`. */
  origin?: string;
}

export abstract class RedisStreamLog {
  readonly name = "redis" as const;
  readonly bounds: HistoryBounds;
  readonly prefix: string;
  protected readonly timeoutMs: number;
  protected lastError = "";
  protected closed = false;
  protected abstract readonly cmd: RedisCommands;

  constructor(options: RedisBrokerOptions) {
    this.bounds = resolveBounds(options.history);
    this.prefix = options.prefix ?? "herald";
    this.timeoutMs = options.commandTimeoutMs ?? 5000;
  }

  /** Where a publish to `channel` goes. */
  protected abstract publishTarget(
    channel: string,
    once: string | undefined,
  ): PublishTarget;
  /** The stream key of `channel`'s history, and its meta hash. */
  protected abstract logKeys(channel: string): { log: string; meta: string };
  /** The clock mapping of the Redis that runs `channel`'s publishes. */
  protected abstract deadlinesFor(channel: string): RedisDeadlines;
  abstract health(): { healthy: boolean; detail?: string };

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
    this.ready();
    const target = this.publishTarget(channel, once);
    const deadline = await this.call(() =>
      this.deadlinesFor(channel).next(this.timeoutMs)
    );
    try {
      const [id, time] = await this.cmd.heraldPublish(
        target.clock,
        target.log,
        target.meta,
        target.once,
        target.live,
        event,
        JSON.stringify(event),
        data,
        this.bounds.limit,
        this.bounds.ttlMs,
        this.bounds.ttlMs + META_GRACE_MS,
        deadline.redisUs,
        once === undefined ? "" : ONCE_TTL_MS,
        target.sharded ? 1 : 0,
        target.origin ?? "",
        target.origin ? parseInt(target.origin, 36) : 0,
      );
      return { id, time: Number(time) };
    } catch (err) {
      if (!(err instanceof ReplyError)) {
        const wait = deadline.giveUpAt - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      throw this.failure(err);
    }
  }

  async read(channel: string, opts: LogRead): Promise<HeraldEvent[]> {
    this.ready();
    return await this.call(() =>
      readChannel(this.cmd, this.logKeys(channel).log, channel, opts)
    );
  }

  // One XRANGE per channel, all sent at once. Only after an outage: live
  // events come by pub/sub.
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

  async trimmedThrough(
    channel: string,
    cutoff: string,
  ): Promise<string | null> {
    this.ready();
    const { log, meta } = this.logKeys(channel);
    const trimmed = await this.call(() =>
      this.cmd.heraldTrimmed(log, meta, streamId(cutoff))
    );
    return trimmed ? heraldId(trimmed) : null;
  }

  protected async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw this.failure(err);
    }
  }

  protected failure(err: unknown): unknown {
    return this.closed ? new BrokerClosedError(this.name) : redisFailure(err);
  }

  // Fail at once while a connection is down (no offline queue).
  protected ready(): void {
    if (this.closed) throw new BrokerClosedError(this.name);
    const health = this.health();
    if (!health.healthy) {
      throw new BrokerUnavailableError(health.detail ?? "redis unavailable");
    }
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
    const start = "(" + streamId(after);
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

/** A stream id `<clock>-<origin as a number>` as a Herald id. */
export function heraldId(sid: string): string {
  const dash = sid.indexOf("-");
  const seq = Number(sid.slice(dash + 1));
  return formatEventId(
    Number(sid.slice(0, dash)),
    seq === 0 ? STORE_ORIGIN : seq.toString(36).padStart(4, "0"),
  );
}

/** A Herald id as the stream id of the same event. */
export function streamId(id: string): string {
  const origin = id.slice(CLOCK_DIGITS + 1);
  return `${eventIdClock(id)}-${parseInt(origin, 36) || 0}`;
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

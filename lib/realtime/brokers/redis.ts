/**
 * The Redis store of the log broker (ioredis): a capped stream per channel, one Lua
 * publish script, one subscriber connection per process, reconnects and publish
 * deadlines (ARCHITECTURE.md, redis; see ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import { Redis, type RedisOptions } from "ioredis";
import type { HeraldEvent } from "../types.ts";
import { BrokerUnavailableError } from "./errors.ts";
import type { EventLog, LogFollower } from "./event_log.ts";
import { formatEventId } from "./event_id.ts";
import { LogBroker } from "./log_broker.ts";
import type { RedisBrokerOptions } from "./options.ts";
import {
  connectFailure,
  type RedisTarget,
  tlsOptions,
} from "./redis_target.ts";
import { RedisDeadlines } from "./redis_deadline.ts";
import {
  closeConnection,
  defineScripts,
  type PublishTarget,
  type RedisCommands,
  RedisStreamLog,
} from "./redis_stream_log.ts";

/** Connects to Redis; rejects with a {@link BrokerUnavailableError} when it does not answer. */
export async function connectRedisBroker(
  options: RedisBrokerOptions,
): Promise<LogBroker<RedisLog>> {
  const log = new RedisLog(options);
  await log.connect();
  return new LogBroker(log);
}

/** The redis store: streams per channel, one script per publish, pub/sub for live events. */
export class RedisLog extends RedisStreamLog implements EventLog {
  protected readonly cmd: RedisCommands & Redis;
  #sub: Redis;
  #follower: LogFollower | null = null;
  #wasReady = false;
  /** A connection closed since both were last ready. */
  #lost = false;
  #onReconnect: (() => void) | undefined;
  #deadlines: RedisDeadlines;
  #target: RedisTarget;

  constructor(options: RedisBrokerOptions) {
    super(options);
    this.#target = { url: options.url, tlsCa: options.tlsCa };
    this.#onReconnect = options.onReconnect;
    const common: RedisOptions = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResubscribe: false, // we resubscribe ourselves, then catch up
      connectTimeout: 5000,
      commandTimeout: this.timeoutMs,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    };
    const tls = tlsOptions(this.#target);
    this.cmd = defineScripts(
      new Redis(options.url, {
        ...tls,
        ...common,
        connectionName: "herald-cmd",
        // A command cut off by a lost connection fails (a publish answers 503)
        // and is never sent again after the reconnect.
        autoResendUnfulfilledCommands: false,
      }),
    ) as RedisCommands & Redis;
    this.#sub = new Redis(options.url, {
      ...tls,
      ...common,
      connectionName: "herald-sub",
      // Subscribing blocks no command: no timeout on this connection.
      commandTimeout: undefined,
    });
    for (const conn of [this.cmd, this.#sub]) {
      conn.on("error", (err: Error) => {
        this.lastError = err.message;
      });
      conn.on("close", () => {
        if (this.#wasReady) this.#lost = true;
      });
    }
    this.#sub.on(
      "message",
      (live: string, payload: string) => this.#onMessage(live, payload),
    );
    this.#deadlines = new RedisDeadlines(() => this.cmd.time());
    this.#sub.on("ready", () => this.#onReady());
    this.cmd.on("ready", () => {
      // Redis may have come back with another clock (a failover, a restart).
      if (this.#wasReady) this.#deadlines.sync().catch(() => {});
      this.#onReady();
    });
  }

  /** Connects both connections and reads Redis's clock. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.cmd.connect(), this.#sub.connect()]);
      await this.#deadlines.sync();
    } catch (err) {
      await this.close();
      throw new BrokerUnavailableError(
        connectFailure(this.#target, err, this.lastError),
        { cause: err },
      );
    }
    this.#wasReady = true;
  }

  /** The clock: the publish script sets it in the same atomic step as the log entry. */
  async head(): Promise<string | null> {
    this.ready();
    const clock = await this.call(() => this.cmd.get(this.#key("clock")));
    return clock === null ? null : formatEventId(Number(clock));
  }

  protected publishTarget(
    channel: string,
    once: string | undefined,
  ): PublishTarget {
    return {
      clock: this.#key("clock"),
      ...this.logKeys(channel),
      once: this.#key("once", once ?? "-"),
      live: this.#live(channel),
      sharded: false,
    };
  }

  protected logKeys(channel: string): { log: string; meta: string } {
    return { log: this.#key("log", channel), meta: this.#key("meta", channel) };
  }

  protected deadlinesFor(): RedisDeadlines {
    return this.#deadlines;
  }

  follow(follower: LogFollower): void {
    this.#follower = follower;
  }

  async listen(channel: string): Promise<void> {
    this.ready();
    // The reply comes once Redis has subscribed.
    await this.call(() => this.#sub.subscribe(this.#live(channel)));
  }

  async unlisten(channel: string): Promise<void> {
    if (this.#sub.status !== "ready") return; // the new connection will not resubscribe it
    await this.#sub.unsubscribe(this.#live(channel)).catch(() => {});
  }

  health(): { healthy: boolean; detail?: string } {
    const cmd = this.cmd.status;
    const sub = this.#sub.status;
    if (cmd === "ready" && sub === "ready") return { healthy: true };
    return {
      healthy: false,
      detail: `redis connection ${cmd === "ready" ? sub : cmd}, reconnecting` +
        (this.lastError ? `: ${this.lastError}` : ""),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.cmd, this.#sub].map(closeConnection));
  }

  // Both connections are back after an outage: hold live events, resubscribe,
  // then catch up every channel merged in id order (reading only after the
  // subscription is in place, so nothing falls between the two).
  async #onReady(): Promise<void> {
    if (!this.#wasReady || this.closed) return;
    if (this.cmd.status !== "ready" || this.#sub.status !== "ready") return;
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

  #key(kind: "clock" | "log" | "meta" | "once", channel?: string): string {
    return channel === undefined
      ? `${this.prefix}:${kind}`
      : `${this.prefix}:${kind}:${channel}`;
  }

  #live(channel: string): string {
    return `${this.prefix}:live:${channel}`;
  }
}

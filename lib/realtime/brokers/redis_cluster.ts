/**
 * The Redis Cluster store of the log broker: one hash slot per channel, sharded
 * pub/sub, per-channel clocks and `head()` as a watermark over the masters
 * (ARCHITECTURE.md, redis on Redis Cluster; see ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
import calculateSlot from "cluster-key-slot";
import type { HeraldEvent } from "../types.ts";
import { BrokerClosedError, BrokerUnavailableError } from "./errors.ts";
import type { EventLog, LogFollower } from "./event_log.ts";
import { formatEventId } from "./event_id.ts";
import { LogBroker } from "./log_broker.ts";
import type { RedisBrokerOptions } from "./options.ts";
import { RedisDeadlines } from "./redis_deadline.ts";
import {
  closeConnection,
  defineScripts,
  type PublishTarget,
  type RedisCommands,
  RedisStreamLog,
} from "./redis_stream_log.ts";
import {
  clusterSeed,
  connectFailure,
  type RedisTarget,
} from "./redis_target.ts";

/** Masters' clocks may differ by this much before `head()` gives up. */
const MAX_SKEW_MS = 1000;
/** Live events held for a watermark at most; past it they are dropped and read from history. */
const MAX_PENDING = 10_000;

/** Connects to the cluster; rejects with a {@link BrokerUnavailableError} when it does not answer. */
export async function connectRedisClusterBroker(
  options: RedisBrokerOptions,
): Promise<LogBroker<RedisClusterLog>> {
  const log = new RedisClusterLog(options);
  await log.connect();
  return new LogBroker(log);
}

export class RedisClusterLog extends RedisStreamLog implements EventLog {
  protected readonly cmd: RedisCommands & Cluster;
  #target: RedisTarget;
  #node: RedisOptions;
  /** Subscriber connection per master (`host:port`), once connected. */
  #subs = new Map<string, Redis>();
  #connecting = new Map<string, Promise<Redis>>();
  /** Subscribed channel → the master it is subscribed on. */
  #subscribed = new Map<string, string>();
  #deadlines = new Map<string, RedisDeadlines>();
  #follower: LogFollower | null = null;
  #pending: HeraldEvent[] = [];
  #releasing: Promise<void> | null = null;
  #again = false;
  #onReconnect: (() => void) | undefined;

  constructor(options: RedisBrokerOptions) {
    super(options);
    this.#target = { url: options.url, tlsCa: options.tlsCa };
    this.#onReconnect = options.onReconnect;
    const { seed, node } = clusterSeed(this.#target);
    this.#node = {
      ...node,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      autoResubscribe: false,
      connectTimeout: 5000,
      commandTimeout: this.timeoutMs,
      // A command cut off by a lost connection fails and is never resent.
      autoResendUnfulfilledCommands: false,
    };
    this.cmd = defineScripts(
      new Cluster([seed], {
        lazyConnect: true,
        enableOfflineQueue: false,
        scaleReads: "master",
        redisOptions: { ...this.#node, connectionName: "herald-cmd" },
        clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      }),
    ) as RedisCommands & Cluster;
    // (ioredis's typings lose Cluster's EventEmitter methods under Deno.)
    (this.cmd as unknown as Pick<Redis, "on">).on("error", (err: Error) => {
      this.lastError = err.message;
    });
  }

  async connect(): Promise<void> {
    try {
      await this.cmd.connect();
      await Promise.all(
        this.cmd.nodes("master").map((node) =>
          this.#deadlinesOf(nodeKey(node)).sync()
        ),
      );
    } catch (err) {
      await this.close();
      throw new BrokerUnavailableError(
        connectFailure(this.#target, err, this.lastError),
        { cause: err },
      );
    }
  }

  protected publishTarget(
    channel: string,
    once: string | undefined,
  ): PublishTarget {
    return {
      clock: this.#key("clock", channel),
      ...this.logKeys(channel),
      // In the channel's slot: a key is at most once per channel here.
      once: `${this.#key("once", channel)}:${once ?? "-"}`,
      live: this.#live(channel),
      sharded: true,
      origin: originOf(this.#owner(this.#key("log", channel))),
    };
  }

  protected logKeys(channel: string): { log: string; meta: string } {
    return { log: this.#key("log", channel), meta: this.#key("meta", channel) };
  }

  protected deadlinesFor(channel: string): RedisDeadlines {
    return this.#deadlinesOf(this.#owner(this.#key("log", channel)));
  }

  /** The watermark (see the module doc): every id at or below it is readable, and has arrived live. */
  async head(): Promise<string | null> {
    this.ready();
    return watermarkId(await this.call(() => this.#watermark()));
  }

  follow(follower: LogFollower): void {
    this.#follower = follower;
  }

  async listen(channel: string): Promise<void> {
    this.ready();
    const live = this.#live(channel);
    const master = this.#owner(live);
    await this.call(async () => {
      const sub = await this.#subscriber(master);
      await sub.ssubscribe(live);
    });
    this.#subscribed.set(channel, master);
  }

  async unlisten(channel: string): Promise<void> {
    const master = this.#subscribed.get(channel);
    this.#subscribed.delete(channel);
    const sub = master ? this.#subs.get(master) : undefined;
    if (sub?.status !== "ready") return;
    await sub.sunsubscribe(this.#live(channel)).catch(() => {});
  }

  health(): { healthy: boolean; detail?: string } {
    const down = this.cmd.status !== "ready"
      ? `cluster ${this.cmd.status}`
      : [...this.#subs].find(([, sub]) => sub.status !== "ready")?.[0];
    if (!down) return { healthy: true };
    return {
      healthy: false,
      detail: `redis cluster connection ${down} not ready, reconnecting` +
        (this.lastError ? `: ${this.lastError}` : ""),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.#pending = [];
    await Promise.all([...this.#subs.values()].map(closeConnection));
    await this.cmd.quit().catch(() => this.cmd.disconnect());
  }

  // Every master's TIME, the largest, a wait for the laggards, then a PING
  // down each subscriber connection (see the module doc).
  async #watermark(): Promise<number> {
    const masters = this.cmd.nodes("master");
    if (masters.length === 0) throw new Error("no cluster master is known");
    const times = await Promise.all(masters.map(redisTimeUs));
    const mark = Math.max(...times);
    const deadline = performance.now() + MAX_SKEW_MS;
    await Promise.all(masters.map(async (node, i) => {
      let t = times[i];
      while (t <= mark) {
        if (performance.now() > deadline) {
          throw new BrokerUnavailableError(
            `redis cluster: the clock of ${
              nodeKey(node)
            } is more than ${MAX_SKEW_MS} ms behind another master's`,
          );
        }
        await new Promise((r) =>
          setTimeout(r, Math.min(50, (mark - t) / 1000))
        );
        t = await redisTimeUs(node);
      }
    }));
    await Promise.all(
      [...this.#subs.values()].filter((sub) => sub.status === "ready").map(
        (sub) => sub.ping(),
      ),
    );
    return mark;
  }

  #onMessage(live: string, payload: string): void {
    const channel = live.slice(this.#live("").length - 1, -1); // inside {…}
    let parsed: Omit<HeraldEvent, "channel">;
    try {
      parsed = JSON.parse(payload);
    } catch {
      return; // not ours
    }
    if (this.#pending.length >= MAX_PENDING) {
      // Every live event is also in history: the feed reads them from there.
      this.#pending = [];
      this.#follower?.hold();
      this.#follower?.catchUp().catch(() => {/* the feed retries */});
      return;
    }
    this.#pending.push({ ...parsed, channel });
    this.#release();
  }

  // Hands the follower, in id order, the live events a watermark has passed.
  #release(): void {
    if (this.#releasing) {
      this.#again = true;
      return;
    }
    this.#releasing = (async () => {
      do {
        this.#again = false;
        if (this.#pending.length === 0 || this.closed) break;
        let mark: number;
        try {
          mark = await this.#watermark();
        } catch {
          // Redis is away: the reconnect's catch-up delivers from history.
          await new Promise((r) => setTimeout(r, 100));
          this.#again = true;
          continue;
        }
        const head = watermarkId(mark);
        const ready = this.#pending.filter((e) => e.id <= head);
        this.#pending = this.#pending.filter((e) => e.id > head);
        ready.sort((a, b) => a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
        for (const e of ready) this.#follower?.offer(e);
        if (this.#pending.length > 0) this.#again = true;
      } while (this.#again && !this.closed);
    })().finally(() => {
      this.#releasing = null;
    });
  }

  /** The subscriber connection to `master`, connected (one per master, however many ask at once). */
  async #subscriber(master: string): Promise<Redis> {
    const open = this.#subs.get(master);
    if (open) return open;
    let connecting = this.#connecting.get(master);
    if (!connecting) {
      connecting = this.#openSubscriber(master).finally(() => {
        this.#connecting.delete(master);
      });
      this.#connecting.set(master, connecting);
    }
    return await connecting;
  }

  async #openSubscriber(master: string): Promise<Redis> {
    const [host, port] = splitNodeKey(master);
    const conn = new Redis({
      ...this.#node,
      host,
      port,
      lazyConnect: true,
      connectionName: "herald-ssub",
      commandTimeout: undefined, // subscribing blocks no command
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    let wasReady = false;
    conn.on("error", (err: Error) => {
      this.lastError = err.message;
    });
    conn.on(
      "smessage",
      (live: string, payload: string) => this.#onMessage(live, payload),
    );
    conn.on("ready", () => {
      if (wasReady) this.#resubscribe(master, conn);
      wasReady = true;
    });
    try {
      await conn.connect();
    } catch (err) {
      conn.disconnect();
      throw err;
    }
    if (this.closed) {
      conn.disconnect();
      throw new BrokerClosedError(this.name);
    }
    this.#subs.set(master, conn);
    return conn;
  }

  // A subscriber connection is back: subscribe its channels again, then
  // catch up from history (holding live events meanwhile).
  async #resubscribe(master: string, sub: Redis): Promise<void> {
    const follower = this.#follower;
    const channels = [...this.#subscribed].filter(([, m]) => m === master)
      .map(([channel]) => channel);
    this.#onReconnect?.();
    if (!follower || this.closed || channels.length === 0) return;
    follower.hold();
    try {
      for (const channel of channels) {
        await sub.ssubscribe(this.#live(channel));
      }
    } catch {
      return; // lost again: the next "ready" does this again
    }
    await follower.catchUp().catch(() => {/* the feed retries */});
  }

  #owner(key: string): string {
    const owner = this.cmd.slots[calculateSlot(key)]?.[0];
    if (!owner) {
      throw new BrokerUnavailableError(
        "redis cluster: no master serves the slot of " + key,
      );
    }
    return owner;
  }

  #deadlinesOf(master: string): RedisDeadlines {
    let deadlines = this.#deadlines.get(master);
    if (!deadlines) {
      deadlines = new RedisDeadlines(() => {
        const node = this.cmd.nodes("master").find((n) =>
          nodeKey(n) === master
        );
        if (!node) throw new Error(`redis cluster: ${master} is no master`);
        return node.time();
      });
      this.#deadlines.set(master, deadlines);
    }
    return deadlines;
  }

  // `{channel}` is the hash tag: every key of a channel is in one slot.
  #key(kind: "clock" | "log" | "meta" | "once", channel: string): string {
    return `${this.prefix}:${kind}:{${channel}}`;
  }

  #live(channel: string): string {
    return `${this.prefix}:live:{${channel}}`;
  }
}

/**
 * Every id at the watermark's clock, whichever master minted it: two masters
 * may mint the same µs, told apart by their origin tags.
 */
function watermarkId(mark: number): string {
  return formatEventId(mark, "zzzz");
}

/** A master's origin tag: 4 base-36 characters from its address (FNV-1a), never `0000`. */
export function originOf(master: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < master.length; i++) {
    h = Math.imul(h ^ master.charCodeAt(i), 0x01000193) >>> 0;
  }
  return (1 + h % (36 ** 4 - 1)).toString(36).padStart(4, "0");
}

function nodeKey(node: Redis): string {
  return `${node.options.host}:${node.options.port}`;
}

function splitNodeKey(key: string): [string, number] {
  const colon = key.lastIndexOf(":");
  return [key.slice(0, colon), Number(key.slice(colon + 1))];
}

async function redisTimeUs(node: Redis): Promise<number> {
  const [s, us] = await node.time();
  return Number(s) * 1_000_000 + Number(us);
}

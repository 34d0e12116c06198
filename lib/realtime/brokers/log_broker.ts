/**
 * The one broker over an {@link EventLog} (redis, kv): message building, history
 * bounds, the merged feed and loss detection (ARCHITECTURE.md, The log broker).
 *
 * @module
 */
import type {
  Broker,
  BrokerHealth,
  HeraldEvent,
  HistoryOptions,
  LostEvents,
  PublishMessage,
  Unsubscribe,
} from "../types.ts";
import { type HistoryBounds, readLimit } from "./bounds.ts";
import { BrokerClosedError } from "./errors.ts";
import type { EventLog } from "./event_log.ts";
import { eventIdAtTime, formatEventId } from "./event_id.ts";
import type { Listener } from "./listeners.ts";
import { MergedFeed } from "./merged_feed.ts";
import { payloadJson } from "./payload.ts";

/** The id before every id: a feed of an empty log starts here. */
const ORIGIN_ID = formatEventId(0);

export class LogBroker<Log extends EventLog = EventLog> implements Broker {
  readonly name: Log["name"];
  readonly bounds: HistoryBounds;
  #feed: MergedFeed;
  /** A channel's first SUBSCRIBE-like step, which later subscribers wait for. */
  #listening = new Map<string, Promise<void>>();
  #closed = false;

  constructor(readonly log: Log) {
    this.name = log.name;
    const bounds = this.bounds = log.bounds;
    this.#feed = new MergedFeed({
      head: async () => (await log.head()) ?? ORIGIN_ID,
      readAfter: (positions, head) =>
        log.readAfter(positions, head, bounds.limit, this.#cutoff()),
      pageSize: bounds.limit,
      trimmedThrough: (channel) => log.trimmedThrough(channel, this.#cutoff()),
      ageCutoff: () => this.#cutoff(),
    }, ORIGIN_ID);
    log.follow(this.#feed);
  }

  async publish(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    this.#open();
    const event = msg.event ?? "message";
    const data = payloadJson(msg.data);
    const { id, time } = await this.#call(() =>
      this.log.append({ channel, event, data, once: msg.once })
    );
    return { id, channel, event, data: JSON.parse(data), time };
  }

  async subscribe(
    channel: string,
    onEvent: Listener,
    onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe> {
    this.#open();
    const since = await this.#call(() => this.#feed.startOf(channel));
    this.#open();
    if (this.#feed.add(channel, onEvent, since, onLost)) {
      const listening = this.#call(() => this.log.listen(channel));
      this.#listening.set(channel, listening);
      try {
        await listening;
      } catch (err) {
        this.#feed.remove(channel, onEvent);
        throw err;
      } finally {
        this.#listening.delete(channel);
      }
    } else {
      // Live once the first subscriber's listen is in place.
      await this.#listening.get(channel)?.catch((err) => {
        this.#feed.remove(channel, onEvent);
        throw err;
      });
    }
    let subscribed = true;
    return async () => {
      if (!subscribed) return;
      subscribed = false;
      if (this.#feed.remove(channel, onEvent) && !this.#closed) {
        await this.log.unlisten(channel);
      }
    };
  }

  async history(
    channel: string,
    opts: HistoryOptions = {},
  ): Promise<HeraldEvent[]> {
    this.#open();
    const limit = readLimit(opts.limit, this.bounds);
    if (limit === 0) return [];
    return await this.#call(() =>
      this.log.read(channel, {
        after: opts.after,
        before: opts.before,
        limit,
        cutoff: this.#cutoff(),
      })
    );
  }

  async trimmedThrough(channel: string): Promise<string | null> {
    this.#open();
    return await this.#call(() =>
      this.log.trimmedThrough(channel, this.#cutoff())
    );
  }

  /** The store's clock: every id at or below it is readable from history. */
  async head(): Promise<string | null> {
    this.#open();
    return await this.#call(() => this.log.head());
  }

  /** Reads the log after the last delivered id now (what a poll tick or a reconnect does). */
  refresh(): Promise<void> {
    return this.#feed.catchUp();
  }

  health(): BrokerHealth {
    if (this.#closed) {
      return { broker: this.name, healthy: false, detail: "closed" };
    }
    return { broker: this.name, ...this.log.health() };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#feed.close();
    await this.log.close();
  }

  // After close, whatever the store says, the caller learns the broker is closed.
  async #call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (this.#closed) throw new BrokerClosedError(this.name);
      throw err;
    }
  }

  #cutoff(): string {
    return eventIdAtTime(Date.now() - this.bounds.ttlMs);
  }

  #open(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
  }
}

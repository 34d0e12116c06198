/**
 * The broker contract (ARCHITECTURE.md, The broker contract): every broker implements
 * {@link Broker}; the hub and the HTTP layer depend on nothing else.
 *
 * @module
 */

/** One published message, as stored in history and delivered to subscribers. */
export interface HeraldEvent {
  /**
   * Opaque ASCII, at most 64 bytes. Ids of one deployment are fixed-width, so
   * plain string comparison (`a < b`) orders them in publish order, within a
   * channel and across channels.
   */
  id: string;
  channel: string;
  /** Event name; `"message"` when the publisher gave none. */
  event: string;
  /** The published payload (any JSON value). */
  data: unknown;
  /** Publish time, milliseconds since the epoch. */
  time: number;
}

/** What a publisher sends. */
export interface PublishMessage {
  event?: string;
  data: unknown;
  /**
   * At most once per key: the redis and kv brokers record the key with the
   * event, atomically, for {@link ONCE_TTL_MS}, and a publish with a key
   * already recorded stores nothing and returns the first event's id and
   * time. (Idempotency-Key retries after an ambiguous 503; memory and
   * broadcast answer in-process and ignore it.)
   */
  once?: string;
}

/** How long a {@link PublishMessage.once} key is remembered: 24 h. */
export const ONCE_TTL_MS = 24 * 60 * 60 * 1000;

/** Which part of a channel's history to read. */
export interface HistoryOptions {
  /** Only events with an id greater than this one. */
  after?: string;
  /** Only events with an id smaller than this one (paging backwards). */
  before?: string;
  /** At most this many events: the oldest ones after `after`, or the newest when no `after`. */
  limit?: number;
}

/**
 * What a subscription missed: the broker caught up from history after `after`
 * (the last id it delivered on `channel`), but history had already dropped
 * events up to `trimmedThrough`, so those never reached the subscriber.
 */
export interface LostEvents {
  channel: string;
  /** The newest id delivered on the channel before the loss. */
  after: string;
  /** The newest id history no longer holds (see {@link Broker.trimmedThrough}). */
  trimmedThrough: string;
}

/** Stops a subscription; resolves once no more events will be delivered. */
export type Unsubscribe = () => Promise<void>;

/** A broker's connection state, for `GET /api/health`. */
export interface BrokerHealth {
  broker: BrokerName;
  healthy: boolean;
  /** Why it is unhealthy, or other detail worth showing an operator. */
  detail?: string;
}

export type BrokerName = "memory" | "broadcast" | "redis" | "kv";

export interface Broker {
  readonly name: BrokerName;
  /** Stores the event in the channel's history and fans it out; resolves with the stored event. */
  publish(channel: string, msg: PublishMessage): Promise<HeraldEvent>;
  /**
   * Delivers every event published on `channel` from now on, in id order.
   * After a lost connection (redis) or between polls (kv) the broker catches
   * up from history, so a subscriber may see an id twice but never misses one
   * while history lasts. When history was trimmed past the subscription's
   * position, the broker calls `onLost` for that channel (before delivering
   * what history still holds): the events in between are gone, and whoever
   * forwards them must tell its clients (the hub ends their streams, which
   * resume with `Last-Event-ID` and get `event: gap`). It never skips them
   * silently. The memory broker never loses a live event, so never calls it;
   * the broadcast broker cannot tell when a peer's message was lost (see
   * broadcast.ts), so it does not call it either.
   */
  subscribe(
    channel: string,
    onEvent: (e: HeraldEvent) => void,
    onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe>;
  /** Retained events in id order (oldest first). */
  history(channel: string, opts?: HistoryOptions): Promise<HeraldEvent[]>;
  /**
   * The id of the newest event that history no longer holds (trimmed by count
   * or age), or null when nothing was dropped. A resume from an id lower than
   * this one has a gap.
   */
  trimmedThrough(channel: string): Promise<string | null>;
  /**
   * The id of the newest event published in this deployment, as far as this
   * broker can see, or null when none. Every event with an id at or below
   * it is already readable from history, so a reader that takes the head
   * first and then reads history misses nothing up to the head; what comes
   * after it arrives on a subscription made before the head was taken.
   */
  head(): Promise<string | null>;
  health(): BrokerHealth;
  /** Releases connections, timers and subscriptions. */
  close(): Promise<void>;
}

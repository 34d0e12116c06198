/**
 * The store under a log-backed broker (redis, kv): what {@link LogBroker}
 * needs from it. A store appends, reads and follows; the broker does the rest.
 *
 * @module
 */
import type { BrokerName, HeraldEvent } from "../types.ts";
import type { HistoryBounds } from "./bounds.ts";
import type { ChannelPosition, FeedPages, MergedFeed } from "./merged_feed.ts";

/** Metadata outlives history by this much, so a late resume still learns it has a gap. */
export const META_GRACE_MS = 7 * 24 * 60 * 60 * 1000;

/** One event to append; the store assigns id and time. */
export interface Append {
  channel: string;
  event: string;
  /** The payload as JSON text. */
  data: string;
  /** At most once per key (see PublishMessage.once): a repeat returns the first id and time. */
  once?: string;
}

/** A history read: the newest `limit` events, or the oldest `limit` after `after`; none older than `cutoff`, none at or above `before`. */
export interface LogRead {
  after?: string;
  before?: string;
  /** At least 1, at most the history limit. */
  limit: number;
  /** The age cut-off as an id: older events are out of history. */
  cutoff: string;
}

/**
 * Where a store sends what it learns about the log: the broker's one
 * {@link MergedFeed} (live events, "the log moved", "hold while I resubscribe").
 */
export type LogFollower = Pick<
  MergedFeed,
  "offer" | "hold" | "catchUp" | "idle" | "channels" | "size" | "cursor"
>;

/**
 * A deployment-wide log of events, one ordered log per channel, ids from one
 * clock (see event_id.ts). Every method rejects with a
 * {@link BrokerUnavailableError} when the store cannot answer now, classified
 * from the driver's error types or codes.
 */
export interface EventLog {
  readonly name: Extract<BrokerName, "redis" | "kv">;
  /** The history bounds every instance on this store uses. */
  readonly bounds: HistoryBounds;
  /** Stores the event and makes it visible to every follower, atomically with the clock. */
  append(e: Append): Promise<{ id: string; time: number }>;
  read(channel: string, opts: LogRead): Promise<HeraldEvent[]>;
  /**
   * The catch-up read: each position's channel events after it, oldest first,
   * at most `pageSize` each, none above `head` needed. Its cost should not grow
   * with the number of positions whose channel did not move.
   */
  readAfter(
    positions: ChannelPosition[],
    head: string,
    pageSize: number,
    cutoff: string,
  ): Promise<FeedPages>;
  /** The clock: the newest id of the deployment (every id up to it is readable), null before the first. */
  head(): Promise<string | null>;
  /** The newest id the channel's history dropped (by count, or older than `cutoff`), or null. */
  trimmedThrough(channel: string, cutoff: string): Promise<string | null>;
  /** Starts following (once, before the first channel is added). */
  follow(follower: LogFollower): void;
  /** A channel got its first local subscriber; resolves once its events reach the follower. */
  listen(channel: string): Promise<void>;
  /** A channel lost its last local subscriber. */
  unlisten(channel: string): Promise<void>;
  /** Healthy, or why not. */
  health(): { healthy: boolean; detail?: string };
  /** Releases connections and timers (the broker has already closed its feed). */
  close(): Promise<void>;
}

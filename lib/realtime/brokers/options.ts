/**
 * The options of each broker, as `createBroker` takes them.
 *
 * @module
 */
import type { HistoryBounds } from "./bounds.ts";

interface CommonOptions {
  /** Per-channel history bounds; defaults 1000 events and 24 h. */
  history?: Partial<HistoryBounds>;
  /** Called when the broker's connection (redis) or store (kv) is back after a loss (metrics). */
  onReconnect?: () => void;
}

export interface MemoryBrokerOptions extends CommonOptions {
  broker: "memory";
}

export interface BroadcastBrokerOptions extends CommonOptions {
  broker: "broadcast";
  /** BroadcastChannel name; instances with the same name share events (default `herald`). */
  channelName?: string;
}

export interface RedisBrokerOptions extends CommonOptions {
  broker: "redis";
  /** `redis://[user:pw@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** PEM of the CA a `rediss://` server's certificate must chain to (`HERALD_REDIS_TLS_CA`). */
  tlsCa?: string;
  /** `url` is a node of a Redis Cluster: see redis_cluster.ts (`HERALD_REDIS_CLUSTER=on`). */
  cluster?: boolean;
  /** Prefix of every key and pub/sub channel (default `herald`). */
  prefix?: string;
  /** How long a command may wait for a reply before failing, ms (default 5000). */
  commandTimeoutMs?: number;
}

export interface KvBrokerOptions extends CommonOptions {
  broker: "kv";
  /** Local KV file; undefined opens the platform KV (Deno Deploy) or the default store. */
  path?: string;
  /** An open handle to use instead of opening `path`; the caller closes it. */
  kv?: Deno.Kv;
  /** First key part of every key (default `herald`). */
  prefix?: string;
  /** How often to read the log of subscribed channels, ms (default 200). */
  pollMs?: number;
  /** The wall clock, ms (default `Date.now`; tests move it). */
  clock?: () => number;
}

export type BrokerOptions =
  | MemoryBrokerOptions
  | BroadcastBrokerOptions
  | RedisBrokerOptions
  | KvBrokerOptions;

/** The kv broker's default poll interval: see kv.ts for why. */
export const DEFAULT_KV_POLL_MS = 200;

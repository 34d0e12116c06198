/**
 * A command client for Herald's Redis, a single server or a Redis Cluster
 * (the app store and the limit store use it; the broker keeps its own
 * connections).
 *
 * @module
 */
import { Cluster, Redis, type RedisOptions } from "ioredis";
import { clusterSeed, type RedisTarget, tlsOptions } from "./redis_target.ts";

/** A client of `target`: ioredis's cluster client when `target.cluster`. */
export function redisClient(
  target: RedisTarget,
  options: RedisOptions,
): Redis | Cluster {
  if (!target.cluster) {
    return new Redis(target.url, { ...options, ...tlsOptions(target) });
  }
  const { seed, node } = clusterSeed(target);
  const { lazyConnect, enableOfflineQueue, ...rest } = options;
  return new Cluster([seed], {
    lazyConnect,
    enableOfflineQueue,
    scaleReads: "master",
    redisOptions: { ...rest, ...node },
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  });
}

/** The masters to scan for keys: every master of a cluster, else the server. */
export function scanTargets(client: Redis | Cluster): Redis[] {
  return client instanceof Cluster ? client.nodes("master") : [client];
}

export function isCluster(client: Redis | Cluster): client is Cluster {
  return client instanceof Cluster;
}

/** Listens for "error" (ioredis's typings lose Cluster's EventEmitter methods under Deno). */
export function onError(
  client: Redis | Cluster,
  listener: (err: Error) => void,
): void {
  (client as unknown as Pick<Redis, "on">).on("error", listener);
}

/**
 * Opens the limit store beside the app store: Redis or Deno KV share the
 * deployment's limits; with the memory store they stay per process.
 *
 * @module
 */
import type { LimitStore } from "../../access/shared_limits.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import type { StoreOptions } from "../store/create.ts";
import { KvLimitStore } from "./kv.ts";
import { RedisLimitStore } from "./redis.ts";

/** The limit store for the deployment's store, or undefined (memory: per process). */
export async function openLimitStore(
  store: StoreOptions,
  leaseMs?: number,
): Promise<LimitStore | undefined> {
  switch (store.kind) {
    case "memory":
      return undefined;
    case "kv":
      return await KvLimitStore.open({ path: store.path, leaseMs });
    case "redis":
      return await RedisLimitStore.open({
        ...store,
        prefix: store.prefix ?? "herald",
        leaseMs,
      });
  }
}

/** Logs a limit-store failure at most once every 10 s (the limits then hold per process). */
export function limitStoreErrorLog(log: HeraldLog): (err: unknown) => void {
  let loggedAt = -Infinity;
  return (err) => {
    const now = performance.now();
    if (now - loggedAt < 10_000) return;
    loggedAt = now;
    log.log("warn", "limit store unreachable: limits hold per process", {
      error: err instanceof Error ? err.message : String(err),
    });
  };
}

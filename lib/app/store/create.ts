/**
 * Chooses the app store that matches the deployment's broker (DESIGN.md,
 * Configuration), so app data lives where events live:
 *
 * | broker | store |
 * |---|---|
 * | `HERALD_BROKER=redis`, or `REDIS_URL` set | Redis at `REDIS_URL`, keys under `HERALD_REDIS_PREFIX` (default `herald`) |
 * | `HERALD_BROKER=kv`, or nothing set | Deno KV: `HERALD_KV_PATH` (default `./data/herald.kv`); the platform KV on Deno Deploy |
 * | `HERALD_BROKER=memory` or `broadcast` | in-process memory |
 *
 * @example
 * ```ts
 * const store = await storeFromEnv({ HERALD_BROKER: "memory" });
 * ```
 * @module
 */
import type { AppStore, StoreKind } from "./types.ts";
import { MemoryStore } from "./memory.ts";
import { KvStore } from "./kv.ts";
import { RedisStore } from "./redis.ts";

export const DEFAULT_KV_PATH = "./data/herald.kv";
export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export type StoreOptions =
  | { kind: "memory" }
  | { kind: "kv"; path?: string }
  | { kind: "redis"; url: string; prefix?: string };

export function createStore(options: StoreOptions): Promise<AppStore> {
  switch (options.kind) {
    case "memory":
      return Promise.resolve(new MemoryStore());
    case "kv":
      return KvStore.open(options.path);
    case "redis":
      return Promise.resolve(new RedisStore(options));
  }
}

/** The store options the environment asks for (see the table above). */
export function storeOptionsFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StoreOptions {
  const forced = env.HERALD_BROKER?.trim().toLowerCase();
  const kind: StoreKind = forced === "memory" || forced === "broadcast"
    ? "memory"
    : forced === "redis" || (!forced && env.REDIS_URL)
    ? "redis"
    : forced === "kv" || !forced
    ? "kv"
    : unknownBroker(forced);
  if (kind === "memory") return { kind };
  if (kind === "redis") {
    return {
      kind,
      url: env.REDIS_URL || DEFAULT_REDIS_URL,
      prefix: env.HERALD_REDIS_PREFIX || "herald",
    };
  }
  // On Deno Deploy the platform KV is the one the kv broker uses too.
  return {
    kind,
    path: env.DENO_DEPLOYMENT_ID
      ? undefined
      : env.HERALD_KV_PATH || DEFAULT_KV_PATH,
  };
}

function unknownBroker(name: string): never {
  throw new Error(
    `HERALD_BROKER=${name} is not one of memory, broadcast, redis, kv`,
  );
}

export function storeFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<AppStore> {
  return createStore(storeOptionsFromEnv(env));
}

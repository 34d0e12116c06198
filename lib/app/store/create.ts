/**
 * Chooses the app store that matches the deployment's broker, so app data lives where
 * events live.
 *
 * @module
 */
import type { AppStore } from "./types.ts";
import { MemoryStore } from "./memory.ts";
import { KvStore } from "./kv.ts";
import { RedisStore } from "./redis.ts";
import { brokerOptionsFromEnv } from "../../realtime/brokers/create.ts";

const DEFAULT_REDIS_PREFIX = "herald";

export type StoreOptions =
  | { kind: "memory" }
  | { kind: "kv"; path?: string }
  | {
    kind: "redis";
    url: string;
    tlsCa?: string;
    cluster?: boolean;
    prefix?: string;
  };

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

/**
 * The store options the environment asks for: the broker's own selection
 * (one rule for both), mapped to the store that lives beside that broker.
 */
export function storeOptionsFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): StoreOptions {
  const broker = brokerOptionsFromEnv(env);
  switch (broker.broker) {
    case "memory":
    case "broadcast":
      return { kind: "memory" };
    case "redis":
      return {
        kind: "redis",
        url: broker.url,
        ...(broker.tlsCa ? { tlsCa: broker.tlsCa } : {}),
        ...(broker.cluster ? { cluster: true } : {}),
        prefix: broker.prefix ?? DEFAULT_REDIS_PREFIX,
      };
    case "kv":
      return { kind: "kv", path: broker.path };
  }
}

export function storeFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<AppStore> {
  return createStore(storeOptionsFromEnv(env));
}

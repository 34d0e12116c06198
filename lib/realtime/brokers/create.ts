/**
 * Picks and builds the broker: `createBroker(options)` builds the one named,
 * `brokerFromEnv(env)` chooses from the settings (README, Brokers and Configuration).
 *
 * @module
 */
import type { Broker, BrokerName } from "../types.ts";
import type { HistoryBounds } from "./bounds.ts";
import { MemoryBroker } from "./memory.ts";
import type { BrokerOptions } from "./options.ts";
import { readTlsCa } from "./redis_target.ts";
import { envFlag } from "../../config/env.ts";

export type { BrokerOptions } from "./options.ts";

export const BROKER_NAMES: readonly BrokerName[] = [
  "memory",
  "broadcast",
  "redis",
  "kv",
];

export const DEFAULT_KV_PATH = "./data/herald.kv";

type Env = Record<string, string | undefined>;

/** Builds the broker the options name; resolves once it is connected. */
export async function createBroker(options: BrokerOptions): Promise<Broker> {
  switch (options.broker) {
    case "memory":
      return new MemoryBroker(options.history);
    case "broadcast": {
      const { BroadcastBroker } = await import("./broadcast.ts");
      return new BroadcastBroker(options);
    }
    case "redis": {
      if (options.cluster) {
        const { connectRedisClusterBroker } = await import(
          "./redis_cluster.ts"
        );
        return await connectRedisClusterBroker(options);
      }
      const { connectRedisBroker } = await import("./redis.ts");
      return await connectRedisBroker(options);
    }
    case "kv": {
      const { openKvBroker } = await import("./kv.ts");
      return await openKvBroker(options);
    }
    default:
      throw new Error(
        `unknown broker ${
          JSON.stringify((options as { broker: unknown }).broker)
        }: use one of ${BROKER_NAMES.join(", ")}`,
      );
  }
}

/** The broker options the environment asks for (README, Brokers); throws on a bad value. */
export function brokerOptionsFromEnv(env: Env): BrokerOptions {
  const history: Partial<HistoryBounds> = {
    limit: intVar(env, "HERALD_HISTORY_LIMIT"),
    ttlMs: intVar(env, "HERALD_HISTORY_TTL_MS"),
  };
  const forced = env.HERALD_BROKER?.trim().toLowerCase() || undefined;
  if (forced && !(BROKER_NAMES as readonly string[]).includes(forced)) {
    throw new Error(
      `HERALD_BROKER=${
        JSON.stringify(env.HERALD_BROKER)
      } is not a broker: use one of ${BROKER_NAMES.join(", ")}`,
    );
  }
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  const name = (forced ?? (redisUrl ? "redis" : "kv")) as BrokerName;
  switch (name) {
    case "memory":
      return { broker: "memory", history };
    case "broadcast":
      return {
        broker: "broadcast",
        history,
        channelName: env.HERALD_BROADCAST_NAME || undefined,
      };
    case "redis":
      if (!redisUrl) {
        throw new Error(
          "HERALD_BROKER=redis needs REDIS_URL (redis://… or rediss://…)",
        );
      }
      {
        const tlsCa = readTlsCa(
          env.HERALD_REDIS_TLS_CA?.trim() || undefined,
          redisUrl,
        );
        const cluster = envFlag(env, "HERALD_REDIS_CLUSTER", false);
        return {
          broker: "redis",
          url: redisUrl,
          ...(tlsCa ? { tlsCa } : {}),
          ...(cluster ? { cluster } : {}),
          prefix: env.HERALD_REDIS_PREFIX || undefined,
          history,
        };
      }
    case "kv":
      return {
        broker: "kv",
        // Deno Deploy: no path opens the platform's KV.
        path: env.DENO_DEPLOYMENT_ID
          ? undefined
          : (env.HERALD_KV_PATH || DEFAULT_KV_PATH),
        pollMs: intVar(env, "HERALD_KV_POLL_MS"),
        history,
      };
  }
}

/** Builds the broker the environment asks for (default: `Deno.env`). */
export async function brokerFromEnv(
  env: Env = Deno.env.toObject(),
): Promise<Broker> {
  return await createBroker(brokerOptionsFromEnv(env));
}

function intVar(env: Env, name: string): number | undefined {
  const raw = env[name]?.trim();
  if (!raw) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(
      `${name}=${JSON.stringify(raw)} must be a whole number ≥ 1`,
    );
  }
  return n;
}

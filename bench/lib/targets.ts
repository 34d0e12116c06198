/**
 * The servers the benchmark measures, each run as its own process: the raw
 * `Deno.serve` baseline (or the same on `node:http`: `raw-node`), Herald's hub
 * alone on a bare `Deno.serve` (`hub`), then Herald (`main.ts`) with the memory broker,
 * with the redis broker under a unique key prefix, and (on request) with the
 * kv broker on a fresh file, or redis with two workers on one port
 * (`redis2`, `HERALD_WORKERS=2`: one process, so its CPU and memory are
 * measured as one).
 *
 * @example
 * ```ts
 * const spec = await targetSpec("redis");
 * if (spec.unavailable) console.log(`skipping redis: ${spec.unavailable}`);
 * ```
 * @module
 */
import { REPO_ROOT } from "../../tests/_support/server.ts";
import { REDIS_URL, redisAnswers } from "../../tests/_support/redis.ts";
import type { TargetName } from "./options.ts";

export interface TargetSpec {
  /** The target's name; `<name>-base` when it runs from the `--base` checkout. */
  name: TargetName | `${TargetName}-base`;
  label: string;
  /** Script to run, relative to `cwd`. */
  entry: string;
  /** The checkout the server runs from; default this one. */
  cwd?: string;
  env: Record<string, string>;
  /** Why this target cannot run here; undefined when it can. */
  unavailable?: string;
  /** Redis key prefix to delete afterwards (redis target only). */
  redisPrefix?: string;
  /** Folder of the KV file to remove afterwards (kv target only). */
  kvDir?: string;
}

/**
 * Every Herald target runs with these: loopback only, and the per-client
 * limits off, since all N subscribers and the publisher share one address.
 */
export const HERALD_ENV = {
  HOSTNAME: "127.0.0.1",
  HERALD_MAX_STREAMS_PER_IP: "0",
  HERALD_MAX_CONNECTIONS_PER_IP: "0",
  HERALD_MAX_STREAMS_PER_USER: "0",
  HERALD_PUBLISH_RATE_IP: "0",
  HERALD_PUBLISH_BURST_IP: "0",
  HERALD_PUBLISH_RATE: "0",
  HERALD_PUBLISH_BURST: "0",
};

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/**
 * The target run from another checkout (`--base`), labelled "(base)"; the
 * baselines (raw, raw-node) are not Herald's and are not repeated.
 */
export async function baseTargetSpec(
  name: TargetName,
  base: string,
): Promise<TargetSpec | null> {
  if (name === "raw" || name === "raw-node") return null;
  const spec = await targetSpec(name);
  const cwd = base.endsWith("/") ? base : `${base}/`;
  return {
    ...spec,
    name: `${name}-base`,
    label: `${spec.label} (base)`,
    cwd,
    unavailable: spec.unavailable ??
      (await exists(`${cwd}${spec.entry}`)
        ? undefined
        : `--base ${base} has no ${spec.entry}`),
  };
}

export async function targetSpec(name: TargetName): Promise<TargetSpec> {
  if (name === "raw" || name === "raw-node") {
    return {
      name,
      label: name === "raw" ? "raw Deno.serve" : "raw node:http",
      entry: "bench/raw_sse_server.ts",
      env: name === "raw" ? {} : { RAW_HTTP: "node" },
    };
  }
  if (name === "hub") {
    return {
      name,
      label: "Herald hub, Deno.serve",
      entry: "bench/hub_sse_server.ts",
      env: {},
    };
  }
  const herald = await exists(`${REPO_ROOT}main.ts`)
    ? undefined
    : "main.ts does not exist yet";
  if (name === "memory" || name === "memory-deno-serve") {
    return {
      name,
      label: name === "memory" ? "Herald memory" : "Herald memory, Deno.serve",
      entry: "main.ts",
      env: {
        ...HERALD_ENV,
        HERALD_BROKER: "memory",
        ...(name === "memory" ? {} : { HERALD_LISTENER: "deno-serve" }),
      },
      unavailable: herald,
    };
  }
  if (name === "kv") {
    const kvDir = await Deno.makeTempDir({ prefix: "herald-bench-kv-" });
    return {
      name,
      label: "Herald kv",
      entry: "main.ts",
      env: {
        ...HERALD_ENV,
        HERALD_BROKER: "kv",
        HERALD_KV_PATH: `${kvDir}/herald.kv`,
      },
      unavailable: herald,
      kvDir,
    };
  }
  const redisPrefix = `herald-bench:${crypto.randomUUID().slice(0, 8)}`;
  const workers = name === "redis2" ? 2 : 1;
  return {
    name,
    label: workers > 1 ? `Herald redis ×${workers} workers` : "Herald redis",
    entry: "main.ts",
    env: {
      ...HERALD_ENV,
      HERALD_BROKER: "redis",
      REDIS_URL,
      HERALD_REDIS_PREFIX: redisPrefix,
      HERALD_WORKERS: String(workers),
    },
    unavailable: herald ??
      (await redisAnswers() ? undefined : `no Redis answers at ${REDIS_URL}`),
    redisPrefix,
  };
}

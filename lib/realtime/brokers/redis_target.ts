/**
 * Where Herald's Redis is and how to reach it (URL, `rediss://` CA, connect errors),
 * shared by the redis broker and the app store.
 *
 * @module
 */
import type { RedisOptions } from "ioredis";

/** How to reach Redis. */
export interface RedisTarget {
  /** `redis://[user:pw@]host:port[/db]` or `rediss://…` (TLS). */
  url: string;
  /** PEM of the CA(s) a `rediss://` server's certificate must chain to (default: the system's). */
  tlsCa?: string;
  /** A Redis Cluster, `url` being one of its nodes (`HERALD_REDIS_CLUSTER=on`). */
  cluster?: boolean;
}

/** The `tls` option for `target`: none for `redis://`. */
export function tlsOptions(target: RedisTarget): Pick<RedisOptions, "tls"> {
  if (!target.url.startsWith("rediss://")) return {};
  return target.tlsCa ? { tls: { ca: target.tlsCa } } : { tls: {} };
}

/**
 * Why a connect failed, for a person: ioredis rejects `connect()` with
 * "Connection is closed." and reports the cause (a refused certificate, a
 * refused port) as an "error" event, here `lastError`.
 */
export function connectFailure(
  target: RedisTarget,
  err: unknown,
  lastError: string,
): string {
  const reason = lastError ||
    (err instanceof Error ? err.message : String(err));
  const tls = /certificate|self[- ]signed|TLS|SSL|UnknownIssuer/i.test(reason)
    ? target.tlsCa
      ? " (the server's certificate does not chain to HERALD_REDIS_TLS_CA)"
      : " (set HERALD_REDIS_TLS_CA to the CA that signed the server's certificate)"
    : "";
  return `redis: cannot connect to ${redactUrl(target.url)}: ${reason}${tls}`;
}

/** The URL with its password masked. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid URL)";
  }
}

/** Reads `HERALD_REDIS_TLS_CA` (a PEM file) for `url`; throws naming the variable. */
export function readTlsCa(
  path: string | undefined,
  url: string,
  readFile: (path: string) => string = Deno.readTextFileSync,
): string | undefined {
  if (path === undefined) return undefined;
  if (!url.startsWith("rediss://")) {
    throw new Error(
      `HERALD_REDIS_TLS_CA is set but REDIS_URL is not rediss://: the CA is only used for TLS`,
    );
  }
  let pem: string;
  try {
    pem = readFile(path);
  } catch (err) {
    throw new Error(
      `HERALD_REDIS_TLS_CA=${JSON.stringify(path)} cannot be read: ${
        (err as Error).message
      }`,
    );
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    throw new Error(
      `HERALD_REDIS_TLS_CA=${
        JSON.stringify(path)
      } holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
  }
  return pem;
}

/** The seed node and credentials of a Redis Cluster given by `target.url`. */
export function clusterSeed(
  target: RedisTarget,
): {
  seed: { host: string; port: number };
  node: Pick<RedisOptions, "tls" | "username" | "password">;
} {
  const url = new URL(target.url);
  return {
    seed: { host: url.hostname, port: Number(url.port || 6379) },
    node: {
      ...tlsOptions(target),
      username: decodeURIComponent(url.username) || undefined,
      password: decodeURIComponent(url.password) || undefined,
    },
  };
}

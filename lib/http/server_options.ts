/**
 * The HTTP server's limits from the environment (connections per process and
 * per address, head and idle timeouts, body size per kind of route, body
 * timeout; README, Configuration), handed by the app config to `start()`.
 *
 * @module
 */
import type { FreshConfig } from "$fresh/server.ts";
import { envInt, type EnvSource, envValue } from "../config/env.ts";
import { MAX_FORM_BYTES } from "./fields.ts";

export type ServerOptions = NonNullable<FreshConfig["server"]>;

export interface ServerOptionsInput {
  /** The largest body under `/api/` (the publish payload limit). */
  apiBodyBytes: number;
  /** Proxies in front (`HERALD_TRUST_PROXY`): then every connection comes from one, so no per-address cap by default. */
  trustProxy?: number;
}

function listenerMode(env: EnvSource): "accept-loop" | "deno-serve" {
  const mode = envValue(env, "HERALD_LISTENER") ?? "accept-loop";
  if (mode !== "accept-loop" && mode !== "deno-serve") {
    throw new Error(
      `HERALD_LISTENER must be accept-loop or deno-serve, got ${
        JSON.stringify(mode)
      }`,
    );
  }
  return mode;
}

/** Reads `PORT`, `HOSTNAME` and the variables the README's Configuration table lists; throws naming the variable on a bad value. */
export function serverOptionsFromEnv(
  env: EnvSource,
  { apiBodyBytes, trustProxy = 0 }: ServerOptionsInput,
): ServerOptions {
  const port = envInt(env, "PORT", 8000, { min: 0 });
  if (port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got ${port}`);
  }
  const zeroOk = { min: 0 };
  return {
    port,
    hostname: envValue(env, "HOSTNAME") ?? "0.0.0.0",
    connections: {
      // Unset: derived from the open-file limit (lib/fresh/src/server/listener.ts).
      maxConnections: envInt(env, "HERALD_MAX_CONNECTIONS", undefined, zeroOk),
      maxConnectionsPerAddress: envInt(
        env,
        "HERALD_MAX_CONNECTIONS_PER_IP",
        trustProxy > 0 ? 0 : undefined,
        zeroOk,
      ),
      headersTimeoutMs: envInt(
        env,
        "HERALD_HEADERS_TIMEOUT_MS",
        10_000,
        zeroOk,
      ),
      idleTimeoutMs: envInt(env, "HERALD_IDLE_TIMEOUT_MS", 30_000, zeroOk),
      mode: listenerMode(env),
    },
    body: {
      // Only the API takes payloads; every other route takes a small form.
      maxBytes: (_req, url) =>
        url.pathname.startsWith("/api/") ? apiBodyBytes : MAX_FORM_BYTES,
      timeoutMs: envInt(env, "HERALD_BODY_TIMEOUT_MS", 10_000),
    },
  };
}

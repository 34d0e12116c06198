/**
 * The HTTP server's limits, from the environment: how large a body each kind
 * of route takes (the API's publish payload, or a small app form) and how
 * long a client may take to send it. main.ts hands them to `start()`.
 *
 * @example
 * ```ts
 * const server = serverOptionsFromEnv(Deno.env, { apiBodyBytes: 65536 });
 * await start(manifest, { ...config, server });
 * ```
 * @module
 */
import type { FreshConfig } from "$fresh/server.ts";
import { envInt, type EnvSource, envValue } from "../config/env.ts";
import { MAX_FORM_BYTES } from "./fields.ts";

export type ServerOptions = NonNullable<FreshConfig["server"]>;

export interface ServerOptionsInput {
  /** The largest body under `/api/` (the publish payload limit). */
  apiBodyBytes: number;
}

/** Reads `PORT`, `HOSTNAME` and `HERALD_BODY_TIMEOUT_MS`; throws naming the variable on a bad value. */
export function serverOptionsFromEnv(
  env: EnvSource,
  { apiBodyBytes }: ServerOptionsInput,
): ServerOptions {
  const port = envInt(env, "PORT", 8000, { min: 0 });
  if (port > 65535) {
    throw new Error(`PORT must be a port number (0-65535), got ${port}`);
  }
  return {
    port,
    hostname: envValue(env, "HOSTNAME") ?? "0.0.0.0",
    body: {
      // Only the API takes payloads; every other route takes a small form.
      maxBytes: (_req, url) =>
        url.pathname.startsWith("/api/") ? apiBodyBytes : MAX_FORM_BYTES,
      timeoutMs: envInt(env, "HERALD_BODY_TIMEOUT_MS", 10_000),
    },
  };
}

/**
 * Access settings (tokens, session, CORS, proxies, limits, admin), read through
 * lib/config with safe defaults; the README's Configuration table lists them.
 *
 * @module
 */
import {
  envInt,
  envList,
  envNumber,
  type EnvSource,
  envValue,
} from "../config/env.ts";

export type { EnvSource };

export interface AccessLimits {
  streamsPerUser: number;
  streamsPerIp: number;
  publishRate: number;
  publishBurst: number;
  publishRateIp: number;
  publishBurstIp: number;
  channelsPerIp: number;
  roomCreateRate: number;
  roomCreateBurst: number;
  limiterMaxKeys: number;
}

export interface AccessConfig {
  jwtSecret: string | null;
  jwtPublicKeyPem: string | null;
  jwtIssuer: string | null;
  jwtAudience: string | null;
  sessionSecret: string | null;
  /** The admin's bearer secret (`HERALD_ADMIN_TOKEN`), or null: no admin. */
  adminToken: string | null;
  publicSubscribe: string[];
  sessionPublish: string[];
  corsOrigins: string[];
  trustProxy: number;
  limits: AccessLimits;
  /** Lease of a process's open-stream counts in the shared limit store, ms. */
  limitLeaseMs: number;
}

export const DEFAULT_LIMITS: Readonly<AccessLimits> = Object.freeze({
  streamsPerUser: 20,
  streamsPerIp: 100,
  publishRate: 20,
  publishBurst: 40,
  publishRateIp: 20,
  publishBurstIp: 40,
  channelsPerIp: 256,
  roomCreateRate: 0.05,
  roomCreateBurst: 5,
  limiterMaxKeys: 10_000,
});

const LIMIT_VARIABLES: Record<keyof AccessLimits, string> = {
  streamsPerUser: "HERALD_MAX_STREAMS_PER_USER",
  streamsPerIp: "HERALD_MAX_STREAMS_PER_IP",
  publishRate: "HERALD_PUBLISH_RATE",
  publishBurst: "HERALD_PUBLISH_BURST",
  publishRateIp: "HERALD_PUBLISH_RATE_IP",
  publishBurstIp: "HERALD_PUBLISH_BURST_IP",
  channelsPerIp: "HERALD_MAX_CHANNELS_PER_IP",
  roomCreateRate: "HERALD_ROOM_CREATE_RATE",
  roomCreateBurst: "HERALD_ROOM_CREATE_BURST",
  limiterMaxKeys: "HERALD_LIMITER_MAX_KEYS",
};

/** Reads the access settings; throws a clear error on a malformed number. */
export function accessConfigFromEnv(env: EnvSource = Deno.env): AccessConfig {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(LIMIT_VARIABLES) as (keyof AccessLimits)[]) {
    const name = LIMIT_VARIABLES[key];
    limits[key] = envNumber(env, name, DEFAULT_LIMITS[key]);
  }
  return {
    jwtSecret: envValue(env, "HERALD_JWT_SECRET") ?? null,
    // A PEM in an env var often arrives with literal "\n"s.
    jwtPublicKeyPem:
      envValue(env, "HERALD_JWT_PUBLIC_KEY")?.replaceAll("\\n", "\n") ??
        null,
    jwtIssuer: envValue(env, "HERALD_JWT_ISSUER") ?? null,
    jwtAudience: envValue(env, "HERALD_JWT_AUDIENCE") ?? null,
    sessionSecret: envValue(env, "HERALD_SESSION_SECRET") ?? null,
    adminToken: adminTokenFrom(env),
    publicSubscribe: envList(env, "HERALD_PUBLIC_SUBSCRIBE", ["*"]),
    // The channels the app's pages write to: through the API where it is open
    // (notifications), else through the app's own routes (chat, flights).
    sessionPublish: envList(env, "HERALD_SESSION_PUBLISH", [
      "notifications",
      "chat:*",
      "chat-rooms",
      "flights",
    ]),
    corsOrigins: envList(env, "HERALD_CORS_ORIGINS", []),
    trustProxy: envInt(env, "HERALD_TRUST_PROXY", 0, { min: 0 }),
    limits,
    limitLeaseMs: envInt(env, "HERALD_LIMITS_LEASE_MS", 30_000, { min: 300 }),
  };
}

/** Shorter admin secrets are guessable; refuse them at start. */
export const MIN_ADMIN_TOKEN_LENGTH = 24;

function adminTokenFrom(env: EnvSource): string | null {
  const token = envValue(env, "HERALD_ADMIN_TOKEN");
  if (token === undefined) return null;
  if (token.length < MIN_ADMIN_TOKEN_LENGTH || /\s/.test(token)) {
    throw new Error(
      `HERALD_ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters without spaces`,
    );
  }
  return token;
}

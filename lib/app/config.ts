/**
 * Every setting of the app, read and checked at once before anything is built, so a
 * bad value stops the process before it listens.
 *
 * @module
 */
import { envInt, envValue } from "../config/env.ts";
import { type AccessConfig, accessConfigFromEnv } from "../access/config.ts";
import {
  type BrokerOptions,
  brokerOptionsFromEnv,
} from "../realtime/brokers/create.ts";
import { configFromEnv, type HeraldConfig } from "../realtime/config.ts";
import { type ChatOptions, chatOptionsFromEnv } from "./chat/service.ts";
import {
  type AssistantOptions,
  assistantOptionsFromEnv,
} from "./assistant/service.ts";
import { type ClockOptions, clockOptionsFromEnv } from "./clock/stream.ts";
import { type FlightsConfig, flightsConfigFromEnv } from "./flights/runtime.ts";
import { countryHeaders } from "./notifications/country.ts";
import { type LogFormat, logFormatFromEnv } from "./logs/stdout.ts";
import { type StoreOptions, storeOptionsFromEnv } from "./store/create.ts";
import {
  type ServerOptions,
  serverOptionsFromEnv,
} from "../http/server_options.ts";

export interface AppConfig {
  herald: HeraldConfig;
  broker: BrokerOptions;
  access: AccessConfig;
  store: StoreOptions;
  chat: ChatOptions;
  flights: FlightsConfig;
  assistant: AssistantOptions;
  clock: ClockOptions;
  /** Headers that may carry the sender's country (`HERALD_COUNTRY_HEADER`). */
  countryHeaders: string[];
  /** The HTTP server's body (and connection) limits, for `start()`. */
  server: ServerOptions;
  /** Server workers sharing the port (`HERALD_WORKERS`); 1 = this thread serves. */
  workers: number;
  /** Log records on standard output (`HERALD_LOG_FORMAT`). */
  logFormat: LogFormat;
  /** How often each process reports to the admin dashboard, ms (`HERALD_ADMIN_STATS_MS`). */
  adminStatsMs: number;
  /** How long a process's presence entries outlive it, ms (`HERALD_PRESENCE_TTL_MS`). */
  presenceTtlMs: number;
  /** How long a user whose last stream closed stays present, ms (`HERALD_PRESENCE_GRACE_MS`). */
  presenceGraceMs: number;
  /** How long a notification toast stays up, ms (`HERALD_TOAST_MS`). */
  toastMs: number;
}

/** Reads every setting; throws on the first bad value, naming its variable. */
export function appConfigFromEnv(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): AppConfig {
  const herald = configFromEnv(env);
  const broker = brokerOptionsFromEnv(env);
  const workers = envInt(env, "HERALD_WORKERS", 1);
  if (workers > 1 && broker.broker === "memory") {
    throw new Error(
      `HERALD_WORKERS=${workers} needs a broker the workers share (kv, redis or broadcast), not HERALD_BROKER=memory`,
    );
  }
  const access = accessConfigFromEnv(env);
  return {
    herald,
    broker,
    access,
    store: storeOptionsFromEnv(env),
    chat: chatOptionsFromEnv(env),
    flights: flightsConfigFromEnv(env),
    assistant: assistantOptionsFromEnv(env),
    clock: clockOptionsFromEnv(env),
    countryHeaders: countryHeaders(envValue(env, "HERALD_COUNTRY_HEADER")),
    server: serverOptionsFromEnv(env, {
      apiBodyBytes: herald.maxPayloadBytes,
      trustProxy: access.trustProxy,
    }),
    workers,
    logFormat: logFormatFromEnv(env),
    adminStatsMs: envInt(env, "HERALD_ADMIN_STATS_MS", 2000, { min: 100 }),
    presenceTtlMs: envInt(env, "HERALD_PRESENCE_TTL_MS", 30_000, { min: 1000 }),
    presenceGraceMs: envInt(env, "HERALD_PRESENCE_GRACE_MS", 5000, { min: 0 }),
    toastMs: envInt(env, "HERALD_TOAST_MS", 5000, { min: 1000 }),
  };
}

/**
 * The hub's and the API's tunables (`HERALD_HEARTBEAT_MS`, buffers, history and batch
 * caps), read through lib/config with working defaults; the README's Configuration
 * table lists them.
 *
 * @module
 */
import { envInt, type EnvSource } from "../config/env.ts";

export type { EnvSource };

export interface HeraldConfig {
  heartbeatMs: number;
  retryMs: number;
  subscriberBufferBytes: number;
  maxPayloadBytes: number;
  maxChannelsPerStream: number;
  historyMaxLimit: number;
  historyPageBytes: number;
  historyConcurrency: number;
  historySendMs: number;
  replayStallMs: number;
  batchMax: number;
}

export const DEFAULT_CONFIG: Readonly<HeraldConfig> = Object.freeze({
  heartbeatMs: 15_000,
  retryMs: 2_000,
  subscriberBufferBytes: 1024 * 1024,
  maxPayloadBytes: 64 * 1024,
  maxChannelsPerStream: 32,
  historyMaxLimit: 1000,
  historyPageBytes: 1024 * 1024,
  historyConcurrency: 8,
  historySendMs: 10_000,
  replayStallMs: 10_000,
  batchMax: 100,
});

const VARIABLES: Record<keyof HeraldConfig, string> = {
  heartbeatMs: "HERALD_HEARTBEAT_MS",
  retryMs: "HERALD_RETRY_MS",
  subscriberBufferBytes: "HERALD_SUBSCRIBER_BUFFER_BYTES",
  maxPayloadBytes: "HERALD_MAX_PAYLOAD_BYTES",
  maxChannelsPerStream: "HERALD_MAX_CHANNELS_PER_STREAM",
  historyMaxLimit: "HERALD_HISTORY_MAX_LIMIT",
  historyPageBytes: "HERALD_HISTORY_PAGE_BYTES",
  historyConcurrency: "HERALD_HISTORY_CONCURRENCY",
  historySendMs: "HERALD_HISTORY_SEND_MS",
  replayStallMs: "HERALD_REPLAY_STALL_MS",
  batchMax: "HERALD_BATCH_MAX",
};

/**
 * The most bytes one stored event can take as JSON: the largest payload plus
 * its id, channel, event name and time. Bounded reads size their pages by it.
 */
export function maxEventBytes(config: HeraldConfig): number {
  return config.maxPayloadBytes + 512;
}

/** Reads the config; throws a clear error on a value that is not a positive integer. */
export function configFromEnv(env: EnvSource = Deno.env): HeraldConfig {
  const config = { ...DEFAULT_CONFIG };
  for (const key of Object.keys(VARIABLES) as (keyof HeraldConfig)[]) {
    config[key] = envInt(env, VARIABLES[key], DEFAULT_CONFIG[key]);
  }
  return config;
}

/**
 * Shared pieces of the realtime tests: a real memory broker that counts its
 * subscriptions, a Herald over it, and an in-process API server.
 *
 * @module
 */
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import {
  DEFAULT_CONFIG,
  type HeraldConfig,
} from "../../lib/realtime/config.ts";
import { createHerald, type Herald } from "../../lib/realtime/herald.ts";
import type {
  HeraldEvent,
  LostEvents,
  Unsubscribe,
} from "../../lib/realtime/types.ts";
import { heraldRouter } from "./fixtures/router.ts";
import { accessConfigFromEnv, configureAccess } from "../../lib/access/mod.ts";

/** Rate limits high enough for tests that publish in bursts (open mode otherwise). */
export const RELAXED_ACCESS_ENV: Record<string, string> = {
  HERALD_PUBLISH_RATE: "100000",
  HERALD_PUBLISH_BURST: "100000",
  HERALD_PUBLISH_RATE_IP: "100000",
  HERALD_PUBLISH_BURST_IP: "100000",
};

/** Applies {@link RELAXED_ACCESS_ENV} to this process's access checks. */
export function relaxAccessLimits(): void {
  configureAccess(accessConfigFromEnv(RELAXED_ACCESS_ENV));
}

/** The memory broker, counting how often subscribe/unsubscribe were called. */
export class CountingBroker extends MemoryBroker {
  subscribes = 0;
  unsubscribes = 0;

  override async subscribe(
    channel: string,
    onEvent: (e: HeraldEvent) => void,
    onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe> {
    const stop = await super.subscribe(channel, onEvent, onLost);
    this.subscribes++;
    return async () => {
      this.unsubscribes++;
      await stop();
    };
  }
}

export function testConfig(
  overrides: Partial<HeraldConfig> = {},
): HeraldConfig {
  return { ...DEFAULT_CONFIG, retryMs: 1000, ...overrides };
}

export interface TestApi extends AsyncDisposable {
  url: string;
  herald: Herald;
  broker: CountingBroker;
}

/** Serves the API on a free port over a fresh memory broker. */
export function startApi(
  overrides: Partial<HeraldConfig> = {},
  broker = new CountingBroker({ limit: 1000 }),
): TestApi {
  relaxAccessLimits();
  const herald = createHerald(broker, testConfig(overrides));
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    heraldRouter(herald),
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    herald,
    broker,
    async [Symbol.asyncDispose]() {
      await herald.hub.close();
      await server.shutdown();
      await broker.close();
    },
  };
}

export async function publishJson(
  url: string,
  channel: string,
  body: unknown,
): Promise<{ id: string; channel: string }> {
  const res = await fetch(`${url}/api/channels/${channel}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 201) {
    throw new Error(`publish answered ${res.status} ${JSON.stringify(json)}`);
  }
  return json;
}

export { waitFor } from "../_support/wait.ts";

/**
 * Shared pieces of the realtime tests: a real memory broker that counts its
 * subscriptions, and the app served in-process over it
 * (tests/_support/services.ts).
 *
 * @module
 */
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import {
  DEFAULT_CONFIG,
  type HeraldConfig,
} from "../../lib/realtime/config.ts";
import type { Herald } from "../../lib/realtime/herald.ts";
import type { Broker } from "../../lib/realtime/types.ts";
import type {
  HeraldEvent,
  LostEvents,
  Unsubscribe,
} from "../../lib/realtime/types.ts";
import {
  RELAXED_ACCESS_ENV,
  serveApp,
  testServices,
} from "../_support/services.ts";

export { RELAXED_ACCESS_ENV };

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

export interface TestApi<B extends Broker = CountingBroker>
  extends AsyncDisposable {
  url: string;
  herald: Herald;
  broker: B;
}

/** Serves the app over `broker` (a fresh counting memory broker by default), with relaxed publish limits. */
export async function startApi<B extends Broker = CountingBroker>(
  overrides: Partial<HeraldConfig> = {},
  broker: B = new CountingBroker({ limit: 1000 }) as unknown as B,
): Promise<TestApi<B>> {
  const services = await testServices({
    env: RELAXED_ACCESS_ENV,
    herald: testConfig(overrides),
    broker,
  });
  const server = await serveApp(services);
  return {
    url: server.url,
    herald: services.herald,
    broker,
    async [Symbol.asyncDispose]() {
      await services.herald.hub.close();
      await server[Symbol.asyncDispose]();
      await services.close();
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

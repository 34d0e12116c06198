/**
 * The per-process Herald: one broker (chosen by the environment), one hub and
 * the config, created lazily on first use and closed when the process is
 * asked to stop (SIGINT/SIGTERM). Pages and API routes use it to publish, to
 * read history for server rendering and to open streams.
 *
 * @example
 * ```ts
 * const { broker, hub, config } = await getHerald();
 * await broker.publish("news", { data: { title: "hello" } });
 * const latest = await broker.history("news", { limit: 20 });
 * ```
 * @module
 */
import type { Broker } from "./types.ts";
import { configFromEnv, type HeraldConfig } from "./config.ts";
import { Hub } from "./hub/hub.ts";
import { brokerFromEnv } from "./brokers/create.ts";
import { heraldLog } from "./observe.ts";
import { onShutdown } from "../process/shutdown.ts";

export interface Herald {
  broker: Broker;
  hub: Hub;
  config: HeraldConfig;
}

/** A Herald over a given broker (tests and custom servers); `getHerald()` is the app's. */
export function createHerald(
  broker: Broker,
  config: HeraldConfig = configFromEnv(),
): Herald {
  const hub = new Hub(broker, {
    heartbeatMs: config.heartbeatMs,
    retryMs: config.retryMs,
    subscriberBufferBytes: config.subscriberBufferBytes,
  });
  return { broker, hub, config };
}

/** Ends the streams, then the broker. */
export async function closeHeraldInstance(herald: Herald): Promise<void> {
  await herald.hub.close();
  await herald.broker.close();
}

let instance: Promise<Herald> | null = null;
let releaseShutdown: (() => void) | null = null;

/** The process's Herald, created on first call from the environment. */
export function getHerald(): Promise<Herald> {
  if (!instance) {
    instance = (async () => {
      const config = configFromEnv();
      const broker = await brokerFromEnv();
      const herald = createHerald(broker, config);
      heraldLog("info", "herald started", { broker: broker.name });
      releaseShutdown = onShutdown(closeHerald);
      return herald;
    })();
    // A failed start (bad config, unreachable store) is retried on the next call.
    instance.catch(() => {
      instance = null;
    });
  }
  return instance;
}

/** Closes the process's Herald if it was created; the next `getHerald()` makes a new one. */
export async function closeHerald(): Promise<void> {
  const current = instance;
  instance = null;
  releaseShutdown?.();
  releaseShutdown = null;
  if (!current) return;
  const herald = await current.catch(() => null);
  if (herald) await closeHeraldInstance(herald);
}

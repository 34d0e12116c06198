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
let stopOnSignal: (() => void) | null = null;

/** The process's Herald, created on first call from the environment. */
export function getHerald(): Promise<Herald> {
  if (!instance) {
    instance = (async () => {
      const config = configFromEnv();
      const broker = await brokerFromEnv();
      const herald = createHerald(broker, config);
      heraldLog("info", "herald started", { broker: broker.name });
      listenForShutdown();
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
  stopOnSignal?.();
  if (!current) return;
  const herald = await current.catch(() => null);
  if (herald) await closeHeraldInstance(herald);
}

const SHUTDOWN_SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];
/** How long a shutdown waits for the broker to close before exiting anyway. */
const SHUTDOWN_GRACE_MS = 3000;

function listenForShutdown(): void {
  if (stopOnSignal || Deno.build.os === "windows") return;
  const onSignal = async () => {
    const grace = new Promise((r) => setTimeout(r, SHUTDOWN_GRACE_MS));
    await Promise.race([closeHerald().catch(() => {}), grace]);
    Deno.exit(0);
  };
  for (const signal of SHUTDOWN_SIGNALS) {
    Deno.addSignalListener(signal, onSignal);
  }
  stopOnSignal = () => {
    for (const signal of SHUTDOWN_SIGNALS) {
      Deno.removeSignalListener(signal, onSignal);
    }
    stopOnSignal = null;
  };
}

/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />

// The composition root: every setting is read and checked, then the parts are
// built once (lib/app/services.ts), handed to routes through ctx.state, and
// closed in reverse order on SIGINT/SIGTERM. With HERALD_WORKERS=N the main
// thread only runs N workers of this same module, each serving the port.
import { resolveLimits, start } from "$fresh/server.ts";
import manifest from "./fresh.gen.ts";
import config from "./fresh.config.ts";
import { type AppConfig, appConfigFromEnv } from "./lib/app/config.ts";
import { createServices, servicesPlugin } from "./lib/app/services.ts";
import { onShutdown } from "./lib/process/shutdown.ts";
import {
  inWorker,
  onStopRequest,
  startWorkers,
} from "./lib/process/workers.ts";

let settings: AppConfig;
try {
  settings = appConfigFromEnv();
} catch (err) {
  console.error(`herald: not started: ${(err as Error).message}`);
  Deno.exit(1);
}

if (settings.workers > 1 && !inWorker()) {
  shareConnectionCap(settings);
  const pool = startWorkers(new URL(import.meta.url), settings.workers);
  onShutdown(() => pool.stop());
  await pool.finished;
} else {
  await serve(settings);
}

async function serve(settings: AppConfig): Promise<void> {
  const app = await createServices(settings).catch(notStarted);
  const stop = new AbortController();
  let served: Promise<void> = Promise.resolve();
  // A worker stops when the main thread asks; a lone process on its signals.
  (inWorker() ? onStopRequest : onShutdown)(async () => {
    stop.abort(); // no new connections
    await app.close(); // ends open streams (the hub), then the broker
    await served;
  });
  served = start(manifest, {
    ...config,
    plugins: [servicesPlugin(app.services), ...(config.plugins ?? [])],
    server: {
      ...config.server,
      ...settings.server,
      signal: stop.signal,
      reusePort: inWorker(),
    },
  }).catch(notStarted);
  await served;
}

/**
 * The workers share the process's descriptors, so the default connection cap
 * is counted once, here, and split between them: workers probing the limit at
 * the same time each saw a random part of it (one got a cap of 1 and refused
 * nearly everything).
 */
function shareConnectionCap(settings: AppConfig): void {
  if (settings.server.connections?.maxConnections !== undefined) return;
  const { maxConnections } = resolveLimits();
  if (maxConnections === 0) return; // no known limit: none per worker either
  const share = Math.max(1, Math.floor(maxConnections / settings.workers));
  Deno.env.set("HERALD_MAX_CONNECTIONS", String(share));
}

function notStarted(err: unknown): never {
  const message = `herald: not started: ${(err as Error)?.message ?? err}`;
  // A worker throws: its uncaught error stops the whole process (workers.ts).
  if (inWorker()) throw new Error(message);
  console.error(message);
  Deno.exit(1);
}

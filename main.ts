/// <reference no-default-lib="true" />
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/// <reference lib="dom.asynciterable" />
/// <reference lib="deno.ns" />
/// <reference lib="deno.unstable" />

// The composition root: every setting is read and checked, then the parts are
// built once (lib/app/services.ts), handed to routes through ctx.state, and
// closed in reverse order on SIGINT/SIGTERM.
import { start } from "$fresh/server.ts";
import manifest from "./fresh.gen.ts";
import config from "./fresh.config.ts";
import { type AppConfig, appConfigFromEnv } from "./lib/app/config.ts";
import { createServices, servicesPlugin } from "./lib/app/services.ts";
import { onShutdown } from "./lib/process/shutdown.ts";

let settings: AppConfig;
try {
  settings = appConfigFromEnv();
} catch (err) {
  console.error(`herald: not started: ${(err as Error).message}`);
  Deno.exit(1);
}
const app = await createServices(settings).catch((err) => {
  console.error(`herald: not started: ${err?.message ?? err}`);
  Deno.exit(1);
});

const stop = new AbortController();
let served: Promise<void> = Promise.resolve();
onShutdown(async () => {
  stop.abort(); // no new connections
  await app.close(); // ends open streams (the hub), then the broker
  await served;
});
served = start(manifest, {
  ...config,
  plugins: [servicesPlugin(app.services), ...(config.plugins ?? [])],
  server: { ...config.server, ...settings.server, signal: stop.signal },
}).catch((err) => {
  console.error(`herald: not started: ${err?.message ?? err}`);
  Deno.exit(1);
});
await served;

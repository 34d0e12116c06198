/**
 * `start(manifest, config)`: serves the app with `Deno.serve` on
 * `config.server.port` (or `PORT`, default 8000) and hostname (or
 * `HOSTNAME`, default `0.0.0.0`), prints the URL, and shuts down
 * gracefully on SIGINT/SIGTERM: no new connections, in-flight requests
 * get a grace period to finish, then the process exits (so open broker
 * connections do not keep it alive).
 *
 * @example
 * ```ts
 * import { start } from "$fresh/server.ts";
 * import manifest from "./fresh.gen.ts";
 * import config from "./fresh.config.ts";
 * await start(manifest, config);
 * ```
 * @module
 */
import type { FreshConfig, Manifest } from "../types.ts";
import { createApp, type HandlerOptions } from "./handler.ts";

/** How long open requests (long-lived streams) may take to end after a signal. */
const SHUTDOWN_GRACE_MS = 3_000;
const SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

export async function start(
  manifest: Manifest,
  config: FreshConfig = {},
  options: HandlerOptions = {},
): Promise<void> {
  const app = await createApp(manifest, config, options);
  const { port, hostname, onListen } = app.config.server;
  const aborter = new AbortController();
  const server = Deno.serve({
    port,
    hostname,
    signal: aborter.signal,
    onListen(addr) {
      if (onListen) return onListen(addr);
      const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
        ? "localhost"
        : addr.hostname;
      const mode = app.config.dev ? " (dev)" : "";
      console.log(`Listening on http://${host}:${addr.port}/${mode}`);
    },
  }, app.handler);

  let stopping = false;
  let forceTimer: ReturnType<typeof setTimeout> | undefined;
  const onSignal = () => {
    if (stopping) Deno.exit(130); // a second signal: stop now
    stopping = true;
    aborter.abort();
    forceTimer = setTimeout(() => {
      console.warn("Requests still open after the grace period; exiting.");
      Deno.exit(0);
    }, SHUTDOWN_GRACE_MS);
  };
  for (const signal of SIGNALS) Deno.addSignalListener(signal, onSignal);
  await server.finished;
  for (const signal of SIGNALS) Deno.removeSignalListener(signal, onSignal);
  clearTimeout(forceTimer);
  if (stopping) Deno.exit(0);
}

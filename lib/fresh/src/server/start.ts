/**
 * `start(manifest, config)`: serves the app through `listen()` (its own
 * accept loop with connection limits, see listener.ts) on
 * `config.server.port` (or `PORT`, default 8000) and hostname (or
 * `HOSTNAME`, default `0.0.0.0`), prints the URL, and resolves once the
 * server has stopped: when `config.server.signal` aborts, it accepts no new
 * connections and waits for open requests (the app decides when to abort,
 * e.g. on SIGTERM, and what else to close).
 *
 * @example
 * ```ts
 * import { start } from "$fresh/server.ts";
 * import manifest from "./fresh.gen.ts";
 * const stop = new AbortController();
 * Deno.addSignalListener("SIGTERM", () => stop.abort());
 * await start(manifest, { server: { signal: stop.signal } });
 * ```
 * @module
 */
import type { FreshConfig, Manifest } from "../types.ts";
import { createApp, type HandlerOptions } from "./handler.ts";
import { listen } from "./listener.ts";

export async function start(
  manifest: Manifest,
  config: FreshConfig = {},
  options: HandlerOptions = {},
): Promise<void> {
  const app = await createApp(manifest, config, options);
  const { port, hostname, onListen, signal, reusePort, connections } =
    app.config.server;
  // Not Deno.serve directly: its accept loop ends for good on EMFILE. A stop
  // (signal) refuses new connections and lets open ones end cleanly.
  const server = listen(app.handler, {
    port,
    hostname,
    reusePort,
    signal,
    limits: connections,
    onListen(addr) {
      if (onListen) return onListen(addr);
      const host = addr.hostname === "0.0.0.0" || addr.hostname === "::"
        ? "localhost"
        : addr.hostname;
      const mode = app.config.dev ? " (dev)" : "";
      console.log(`Listening on http://${host}:${addr.port}/${mode}`);
    },
  });
  await server.finished;
}

/**
 * `start(manifest, config)`: serves the app (the listener, `PORT`, `HOSTNAME`) and
 * resolves once `config.server.signal` has stopped it and open requests ended.
 *
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
  // (signal) refuses new connections and lets open ones end cleanly. Dev
  // serves through Deno.serve: live reload is a WebSocket, and the accept
  // loop's per-connection server closes a connection once it is upgraded.
  const server = listen(app.handler, {
    port,
    hostname,
    reusePort,
    signal,
    limits: app.config.dev
      ? { ...connections, mode: "deno-serve" }
      : connections,
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

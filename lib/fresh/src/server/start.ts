/**
 * `start(manifest, config)`: serves the app with `Deno.serve` on
 * `config.server.port` (or `PORT`, default 8000) and hostname (or
 * `HOSTNAME`, default `0.0.0.0`), prints the URL, and shuts down
 * gracefully on SIGINT/SIGTERM through lib/process/shutdown.ts: no new
 * connections, in-flight requests get the grace period to finish, then the
 * process exits (so open broker connections do not keep it alive).
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
import { onShutdown } from "../../../process/shutdown.ts";

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

  // Stop accepting; open requests end as their parts shut down.
  const release = onShutdown(() => {
    aborter.abort();
    return server.finished;
  });
  await server.finished;
  release();
}

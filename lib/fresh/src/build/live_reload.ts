/**
 * Dev live reload: the page reloads when `/_frsh/alive` reconnects to a server with
 * another revision.
 *
 * @module
 */
import type { PluginRoute, ResolvedFreshConfig } from "../types.ts";

/** The `src` of the module script the server adds to every page in dev. */
export const LIVE_RELOAD_SCRIPT_URL = "/_frsh/refresh.js";
/** The SSE endpoint that announces the revision. */
export const LIVE_RELOAD_ALIVE_URL = "/_frsh/alive";

/** Changes whenever the dev process restarts. */
const REVISION = crypto.randomUUID();
/** Keeps proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000;

function clientScript(revision: string): string {
  return `// Herald dev live reload: reloads the page when the dev server restarts.
const revision = ${JSON.stringify(revision)};
const events = new EventSource(${JSON.stringify(LIVE_RELOAD_ALIVE_URL)});
events.addEventListener("message", async (e) => {
  if (e.data === revision) return;
  events.close();
  // Reload only once the server answers (it may restart again meanwhile);
  // a reload that fails would leave an error page with no script to retry.
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(location.href, { method: "HEAD", cache: "no-store" });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  location.reload();
});
`;
}

/** The revision stream; it ends when the server stops (`signal`), so a graceful shutdown is not held up. */
function aliveStream(signal?: AbortSignal): Response {
  const encoder = new TextEncoder();
  let timer: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    clearInterval(timer);
    signal?.removeEventListener("abort", end);
  };
  let end = stop;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      end = () => {
        stop();
        try {
          controller.close();
        } catch { /* the client went away first */ }
      };
      if (signal?.aborted) return end();
      signal?.addEventListener("abort", end, { once: true });
      controller.enqueue(encoder.encode(`retry: 250\ndata: ${REVISION}\n\n`));
      timer = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": alive\n\n"));
        } catch {
          stop();
        }
      }, HEARTBEAT_MS);
    },
    cancel: () => stop(),
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
    },
  });
}

/** The two dev-only routes: the client script and the revision stream. */
export function liveReloadRoutes(config: ResolvedFreshConfig): PluginRoute[] {
  return [
    {
      path: LIVE_RELOAD_SCRIPT_URL,
      handler: () =>
        new Response(clientScript(REVISION), {
          headers: {
            "content-type": "text/javascript; charset=utf-8",
            "cache-control": "no-store",
          },
        }),
    },
    {
      path: LIVE_RELOAD_ALIVE_URL,
      handler: () => aliveStream(config.server.signal),
    },
  ];
}

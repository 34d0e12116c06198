/**
 * Dev live reload: every page holds one WebSocket to `/_frsh/alive` (a WebSocket
 * does not count against the browser's six HTTP/1.1 connections per host); the
 * page reloads once a server with another revision answers.
 *
 * @module
 */
import type { PluginRoute, ResolvedFreshConfig } from "../types.ts";
import { ISLAND_ERROR_EVENT } from "../runtime/client/island_errors.ts";
import {
  ERROR_OVERLAY_FRAME_ID,
  ERROR_OVERLAY_FRAME_STYLE,
  ERROR_OVERLAY_URL,
} from "../server/error_overlay.ts";

/** The `src` of the module script the server adds to every page in dev. */
export const LIVE_RELOAD_SCRIPT_URL = "/_frsh/refresh.js";
/** The WebSocket endpoint that announces the revision. */
export const LIVE_RELOAD_ALIVE_URL = "/_frsh/alive";

/** Reconnect delays: doubling from the first to the cap, each jittered to 50–100 %. */
const RECONNECT_FIRST_MS = 250;
const RECONNECT_CAP_MS = 5_000;
/** Open sockets at most (tabs of one developer; a runaway client must not pile them up). */
const MAX_SOCKETS = 512;

/** Changes whenever the dev process restarts. */
const REVISION = crypto.randomUUID();

function clientScript(revision: string): string {
  const json = JSON.stringify;
  return `// Fresh dev client: reloads the page when the dev server restarts, and
// shows the error overlay when an island throws.
const revision = ${json(revision)};
let failures = 0;

function connect() {
  const url = new URL(${json(LIVE_RELOAD_ALIVE_URL)}, location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const socket = new WebSocket(url);
  socket.onmessage = (e) => {
    failures = 0;
    if (e.data !== revision) location.reload();
  };
  // The browser logs each failed attempt itself: back off so a stopped
  // server costs a few lines, not several a second.
  socket.onclose = () => {
    const step = Math.min(${RECONNECT_CAP_MS}, ${RECONNECT_FIRST_MS} * 2 ** failures++);
    setTimeout(connect, step / 2 + Math.random() * step / 2);
  };
}
connect();

addEventListener(${json(ISLAND_ERROR_EVENT)}, (e) => {
  if (document.getElementById(${json(ERROR_OVERLAY_FRAME_ID)})) return;
  const { island, message, stack } = e.detail;
  const query = new URLSearchParams({
    island,
    message: message.slice(0, 2000),
    stack: stack.slice(0, 6000),
  });
  const frame = document.createElement("iframe");
  frame.id = ${json(ERROR_OVERLAY_FRAME_ID)};
  frame.title = "Error overlay";
  frame.style.cssText = ${json(ERROR_OVERLAY_FRAME_STYLE)};
  frame.src = ${json(ERROR_OVERLAY_URL)} + "?" + query;
  document.body.append(frame);
});
`;
}

/**
 * The open revision sockets; all closed when the server stops (`signal`), so
 * a graceful shutdown is not held up by open tabs.
 */
class AliveSockets {
  readonly #open = new Set<WebSocket>();

  constructor(private readonly signal?: AbortSignal) {
    signal?.addEventListener("abort", () => {
      for (const socket of this.#open) socket.close(1001, "server stopping");
      this.#open.clear();
    }, { once: true });
  }

  accept(req: Request): Response {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return plain(426, "/_frsh/alive expects a WebSocket upgrade", {
        upgrade: "websocket",
      });
    }
    if (this.signal?.aborted) return plain(503, "the server is stopping");
    if (this.#open.size >= MAX_SOCKETS) {
      return plain(503, "too many live-reload sockets");
    }
    const { socket, response } = Deno.upgradeWebSocket(req, {
      idleTimeout: 30,
    });
    this.#open.add(socket);
    socket.onopen = () => socket.send(REVISION);
    // The client never speaks; whatever it sends is dropped.
    socket.onclose = () => this.#open.delete(socket);
    socket.onerror = () => this.#open.delete(socket);
    return response;
  }
}

function plain(
  status: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(message, {
    status,
    headers: { "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

/** The two dev-only routes: the client script and the revision socket. */
export function liveReloadRoutes(config: ResolvedFreshConfig): PluginRoute[] {
  const sockets = new AliveSockets(config.server.signal);
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
      handler: (req) => sockets.accept(req),
    },
  ];
}

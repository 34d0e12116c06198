import assert from "node:assert/strict";
import { resolveConfig } from "../../../lib/fresh/src/build/config.ts";
import {
  LIVE_RELOAD_ALIVE_URL,
  LIVE_RELOAD_SCRIPT_URL,
  liveReloadRoutes,
} from "../../../lib/fresh/src/build/live_reload.ts";
import type { PluginContext } from "../../../lib/fresh/src/types.ts";
import { waitFor } from "../../_support/wait.ts";

/** The dev routes behind a real server, so `/_frsh/alive` can upgrade. */
function serveRoutes(signal: AbortSignal) {
  const config = resolveConfig(import.meta.url, { server: { signal } }, {
    dev: true,
  });
  const routes = liveReloadRoutes(config);
  const ctx: PluginContext = {
    config,
    params: {},
    state: {},
    next: () => Promise.resolve(new Response("next")),
  };
  const server = Deno.serve({ port: 0, onListen() {} }, (req) => {
    const route = routes.find((r) => r.path === new URL(req.url).pathname);
    return route
      ? route.handler(req, ctx)
      : new Response(null, { status: 404 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    ws: `ws://127.0.0.1:${server.addr.port}${LIVE_RELOAD_ALIVE_URL}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

/** A client socket with what it received and how it closed. */
function connect(url: string) {
  const socket = new WebSocket(url);
  const got = { messages: [] as string[], closed: null as number | null };
  socket.onmessage = (e) => got.messages.push(String(e.data));
  socket.onclose = (e) => got.closed = e.code;
  return { socket, got };
}

Deno.test("live reload: the script connects one WebSocket and the socket announces the script's revision", async () => {
  const stop = new AbortController();
  await using server = serveRoutes(stop.signal);
  const res = await fetch(server.url + LIVE_RELOAD_SCRIPT_URL);
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.match(res.headers.get("content-type")!, /javascript/);
  const script = await res.text();
  const revision = script.match(/const revision = "([^"]+)"/)?.[1];
  assert.ok(revision, script);
  assert.ok(script.includes("new WebSocket(url)"), script);
  assert.ok(!script.includes("EventSource"), "no HTTP stream per tab");
  assert.ok(script.includes("location.reload()"));

  const { socket, got } = connect(server.ws);
  await waitFor(() => got.messages.length === 1, "the revision");
  assert.equal(got.messages[0], revision);
  socket.close();
  await waitFor(() => got.closed !== null, "the socket to close");
  stop.abort();
});

Deno.test("live reload: a stop closes every open socket, and later ones are refused", async () => {
  const stop = new AbortController();
  await using server = serveRoutes(stop.signal);
  const tabs = [connect(server.ws), connect(server.ws), connect(server.ws)];
  await waitFor(
    () => tabs.every((t) => t.got.messages.length === 1),
    "every socket's revision",
  );
  stop.abort();
  await waitFor(
    () => tabs.every((t) => t.got.closed !== null),
    "the server to close the sockets",
  );
  assert.deepEqual(tabs.map((t) => t.got.closed), [1001, 1001, 1001]);

  const late = connect(server.ws);
  await waitFor(() => late.got.closed !== null, "the late socket to fail");
  assert.deepEqual(late.got.messages, []);
});

Deno.test("live reload: /_frsh/alive without a WebSocket upgrade is a 426, not a stream", async () => {
  const stop = new AbortController();
  await using server = serveRoutes(stop.signal);
  const res = await fetch(server.url + LIVE_RELOAD_ALIVE_URL);
  assert.equal(res.status, 426);
  assert.equal(res.headers.get("upgrade"), "websocket");
  assert.match(await res.text(), /WebSocket/);
  stop.abort();
});

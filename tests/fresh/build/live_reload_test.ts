import assert from "node:assert/strict";
import { resolveConfig } from "../../../lib/fresh/src/build/config.ts";
import {
  LIVE_RELOAD_SCRIPT_URL,
  liveReloadRoutes,
} from "../../../lib/fresh/src/build/live_reload.ts";
import type { PluginContext } from "../../../lib/fresh/src/types.ts";

const config = resolveConfig(import.meta.url, {}, { dev: true });
const ctx: PluginContext = {
  config,
  params: {},
  state: {},
  next: () => Promise.resolve(new Response("next")),
};

function route(path: string) {
  const found = liveReloadRoutes(config).find((r) => r.path === path);
  assert.ok(found, `no route ${path}`);
  return (url = path) => found.handler(new Request(`http://x${url}`), ctx);
}

Deno.test("live reload: the script carries the server's revision and the alive stream announces the same", async () => {
  const script = await (await route(LIVE_RELOAD_SCRIPT_URL)()).text();
  const revision = script.match(/const revision = "([^"]+)"/)?.[1];
  assert.ok(revision, script);
  assert.ok(script.includes('new EventSource("/_frsh/alive")'));
  assert.ok(script.includes("location.reload()"));

  const res = await route("/_frsh/alive")();
  assert.match(res.headers.get("content-type")!, /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const { value } = await reader.read();
  assert.ok(value!.includes(`data: ${revision}\n\n`), value);
  assert.match(value!, /^retry: \d+\n/);
  await reader.cancel(); // the stream's timer and signal listener go away
});

Deno.test("live reload: the script is never cached (a restart must serve the new revision)", async () => {
  const res = await route(LIVE_RELOAD_SCRIPT_URL)();
  await res.body?.cancel();
  assert.equal(res.headers.get("cache-control"), "no-store");
  assert.match(res.headers.get("content-type")!, /javascript/);
});

/**
 * Island output of the server renderer on the fixture app: markers, one
 * state script with shared signals, slots, the boot script, preloads.
 * @module
 */
import assert from "node:assert/strict";
import { type Signal } from "@preact/signals";
import {
  deserialize,
  Slot,
} from "../../../lib/fresh/src/runtime/serializer.ts";
import { fixture, request } from "./_fixture.ts";
import { HOSTILE } from "../../fixtures/fresh_app/routes/hostile.tsx";

await fixture();

function stateScripts(html: string): string[] {
  return [...html.matchAll(
    /<script id="__FRSH_STATE" type="application\/json">(.*?)<\/script>/gs,
  )].map((m) => m[1]);
}

function bootScript(html: string): string {
  const scripts = [...html.matchAll(/<script type="module">(.*?)<\/script>/gs)];
  assert.equal(scripts.length, 1, "one boot script");
  return scripts[0][1];
}

Deno.test("islands: each island is wrapped in frsh markers, in render order", async () => {
  const { text } = await request("/");
  for (
    const [name, index] of [["counter", 0], ["countdisplay", 1], [
      "panel",
      2,
    ]] as const
  ) {
    const open = `<!--frsh-${name}:${index}:-->`;
    const close = `<!--/frsh-${name}:${index}:-->`;
    assert.ok(text.includes(open), open);
    assert.ok(text.indexOf(close) > text.indexOf(open), close);
  }
  const counter = text.slice(
    text.indexOf("<!--frsh-counter:0:-->"),
    text.indexOf("<!--/frsh-counter:0:-->"),
  );
  assert.match(
    counter,
    /<span id="counter-value">3<\/span>/,
    "server HTML inside the markers",
  );
});

Deno.test("islands: one state script; a signal given to two islands is one signal", async () => {
  const { text } = await request("/");
  const [state, ...more] = stateScripts(text);
  assert.equal(more.length, 0, "exactly one state script");
  const props = deserialize(state) as Record<string, unknown>[];
  assert.equal(props.length, 4, "counter, display, panel, nested toggle");
  const counter = props[0] as { count: Signal<number> };
  const display = props[1] as { count: Signal<number> };
  assert.equal(counter.count.value, 3);
  assert.equal(counter.count, display.count, "shared identity");
  counter.count.value = 4;
  assert.equal(display.count.value, 4);
});

Deno.test("islands: JSX props are slots, rendered in place on the server, with nested islands marked", async () => {
  const { text } = await request("/");
  const props = deserialize(stateScripts(text)[0]) as Record<string, unknown>[];
  const panel = props[2] as Record<string, unknown>;
  assert.equal(panel.title, "Panel");
  assert.ok(panel.children instanceof Slot);
  assert.ok(panel.footer instanceof Slot);
  assert.deepEqual(props[3], { on: true }, "the nested Toggle's props");
  const slot = text.slice(
    text.indexOf("<!--frsh-slot-2:children-->"),
    text.indexOf("<!--/frsh-slot-2:children-->"),
  );
  assert.match(
    slot,
    /<p id="slot-text">Server <strong class="shout">children<\/strong> stay.<\/p>/,
  );
  assert.match(
    slot,
    /<!--frsh-toggle:3:--><button[^>]*aria-pressed="true"[^>]*>on<\/button><!--\/frsh-toggle:3:-->/,
  );
  assert.match(
    text,
    /<!--frsh-slot-2:footer--><em id="footer">server footer<\/em><!--\/frsh-slot-2:footer-->/,
  );
});

Deno.test("islands: the boot script imports the runtime and only the islands on the page", async () => {
  const app = await fixture();
  const home = await request("/");
  const boot = bootScript(home.text);
  const buildId = /\/_frsh\/js\/([^/]+)\/main\.js/.exec(boot)?.[1];
  assert.ok(buildId, "imports the runtime");
  assert.match(boot, /revive\(\{/);
  for (const island of ["counter", "countdisplay", "panel", "toggle"]) {
    assert.match(boot, new RegExp(`"${island}": \\$\\d+\\["default"\\]`));
  }
  assert.doesNotMatch(boot, /toggle_Echo/, "Echo is not on this page");

  const hostile = await request("/hostile");
  const hostileBoot = bootScript(hostile.text);
  assert.match(hostileBoot, /"toggle_Echo": \$0\["Echo"\]/, "a named export");
  assert.doesNotMatch(hostileBoot, /island-counter|island-panel/);

  // Every import and preload is a bundle the server really serves.
  const urls = new Set([
    ...boot.matchAll(/"(\/_frsh\/js\/[^"]+)"/g),
    ...home.text.matchAll(/<link rel="modulepreload" href="([^"]+)">/g),
  ].map((m) => m[1]));
  assert.ok(urls.size >= 5);
  for (const url of urls) {
    const res = await app(new Request(`http://localhost${url}`));
    assert.equal(res.status, 200, url);
    assert.match(res.headers.get("content-type")!, /^text\/javascript/);
    assert.equal(
      res.headers.get("cache-control"),
      "public, max-age=31536000, immutable",
    );
    await res.body?.cancel();
  }
});

Deno.test("islands: a page without islands has no state or boot script", async () => {
  const { text } = await request("/about");
  assert.doesNotMatch(text, /<script|__FRSH_STATE|frsh-|modulepreload/);
});

Deno.test("islands: hostile prop strings stay inside the state script and come back equal", async () => {
  const { text } = await request("/hostile");
  const [state] = stateScripts(text);
  assert.ok(state, "the state script is intact");
  assert.ok(
    !state.includes("<") && !state.includes("\u2028") &&
      !state.includes("\u2029"),
  );
  const props = deserialize(state) as [
    { text: string; when: Date },
    Record<string, unknown>,
  ];
  assert.equal(props[0].text, HOSTILE);
  assert.equal(props[0].when.toISOString(), "2026-11-21T00:00:00.000Z");
  // The only script elements are the two that the renderer wrote.
  assert.equal(text.match(/<script/gi)?.length, 2);
  assert.ok(
    text.includes("<!--frsh-toggle:1:k%26%3C%3E-->"),
    "a key is encoded into the marker",
  );
});

Deno.test("islands: an unknown bundle path is not served", async () => {
  const app = await fixture();
  const home = await request("/");
  const buildId = /\/_frsh\/js\/([^/]+)\//.exec(home.text)![1];
  for (
    const path of [
      `/_frsh/js/${buildId}/nope.js`,
      `/_frsh/js/other/main.js`,
      `/_frsh/js/${buildId}/%2e%2e/main.js`,
    ]
  ) {
    const res = await app(new Request(`http://localhost${path}`));
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
});

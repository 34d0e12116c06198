/**
 * The dev error overlay on the fixture app: a route that throws gets the
 * `_500` page with the overlay (message, file and line, code, stack) in dev,
 * and the plain `_500` page / JSON in production; every text is escaped.
 */
import assert from "node:assert/strict";
import { createHandler, type ServeHandler } from "$fresh/server.ts";
import {
  codeFrame,
  overlayDocument,
  overlayFrame,
} from "../../../lib/fresh/src/server/error_overlay.ts";
import { jsonErrors } from "../../../lib/http/error.ts";
import { capturingErrors, manifest, request } from "./_fixture.ts";

let devHandler: Promise<ServeHandler> | undefined;

/** The fixture app in dev mode (same config as `_fixture.ts`'s production one). */
async function devRequest(path: string, init?: RequestInit) {
  devHandler ??= createHandler(manifest, { onError: jsonErrors }, {
    dev: true,
  });
  const app = await devHandler;
  const { result: res } = await capturingErrors(() =>
    app(new Request(`http://localhost${path}`, init))
  );
  return { res, text: await res.text() };
}

/** The overlay document inside a page's `srcdoc`, unescaped once as a browser does. */
function srcdoc(html: string): string | null {
  const m = /<iframe id="fresh-error-overlay"[^>]*\ssrcdoc="([^"]*)"/.exec(
    html,
  );
  if (!m) return null;
  return m[1].replace(
    /&(lt|gt|quot|#39|amp);/g,
    (_, e) =>
      ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e as string]!,
  );
}

Deno.test("dev: a throwing route's 500 page carries the overlay with message, file:line, code frame and stack", async () => {
  const { res, text } = await devRequest("/boom");
  assert.equal(res.status, 500);
  assert.ok(text.includes("Broken: page exploded"), "the app's _500 page");
  const doc = srcdoc(text);
  assert.ok(doc, text);
  assert.ok(doc.includes('<p id="message">Error: page exploded</p>'), doc);
  assert.ok(doc.includes('<p id="location">routes/boom.tsx:2:9</p>'), doc);
  assert.match(
    doc,
    /&gt; 2 \| {3}throw new Error\(&quot;page exploded&quot;\);/,
  );
  assert.match(doc, /<pre id="stack">\s+at [^\n]*routes\/boom\.tsx:2:9/);
});

Deno.test("production: the same route answers the plain _500 page, no overlay, no stack, no file", async () => {
  const { result } = await capturingErrors(() => request("/boom"));
  assert.equal(result.res.status, 500);
  assert.ok(result.text.includes("Broken: page exploded"));
  assert.ok(!result.text.includes("fresh-error-overlay"), result.text);
  assert.ok(!result.text.includes("boom.tsx"), result.text);
  assert.ok(!/\bat \S+:\d+:\d+/.test(result.text), result.text);
});

Deno.test("dev and production: /api errors stay the app's JSON (onError), without a stack", async () => {
  for (
    const answer of [
      await devRequest("/api/fail"),
      await capturingErrors(() => request("/api/fail")).then((r) => r.result),
    ]
  ) {
    assert.equal(answer.res.status, 500);
    assert.match(answer.res.headers.get("content-type")!, /json/);
    assert.ok(!answer.text.includes("fail.ts"), answer.text);
  }
});

Deno.test("production: the dev routes do not exist", async () => {
  for (
    const path of ["/_frsh/alive", "/_frsh/error_overlay", "/_frsh/refresh.js"]
  ) {
    const { res } = await request(path);
    assert.equal(res.status, 404, path);
  }
});

Deno.test("dev: /_frsh/error_overlay shows an island's error from the query, escaped", async () => {
  const stack = "Error: <img src=x onerror=alert(1)>\n" +
    "    at Fuse (http://localhost/_frsh/js/abc/island-fuse.js:4:9)";
  const query = new URLSearchParams({
    island: "fuse</h1><script>alert(1)</script>",
    message: "Error: <img src=x onerror=alert(1)>",
    stack,
  });
  const { res, text } = await devRequest(`/_frsh/error_overlay?${query}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.ok(!text.includes("<img"), text);
  assert.ok(!text.includes("<script>alert"), text);
  assert.ok(text.includes("Island fuse&lt;/h1&gt;&lt;script&gt;"), text);
  assert.ok(
    text.includes('<p id="location">/_frsh/js/abc/island-fuse.js:4:9</p>'),
    text,
  );
  // The stack without its first line, which repeats the message.
  assert.match(text, /<pre id="stack">\s+at Fuse \(/);

  const post = await devRequest("/_frsh/error_overlay", { method: "POST" });
  assert.equal(post.res.status, 405);
});

Deno.test("overlay: a message cannot leave the srcdoc attribute or the overlay document", () => {
  const hostile = `"><script>alert(1)</script><p x='`;
  const frame = overlayFrame({ title: hostile, message: hostile, stack: "" });
  // One element: the srcdoc's quotes are all escaped.
  assert.equal(frame.match(/"/g)!.length, 8, frame);
  assert.ok(!frame.includes("<script>"), frame);
  const doc = overlayDocument({ title: "t", message: hostile, stack: hostile });
  assert.ok(!doc.includes("<script>alert"), doc);
});

Deno.test("overlay: the code frame marks the line and points at the column", () => {
  const source = "a\nb\nconst x = boom();\nd\ne\nf";
  assert.equal(
    codeFrame("boom();\n", 1, 1),
    "> 1 | boom();\n    | ^",
    "no blank line after the end of the file",
  );
  assert.equal(
    codeFrame(source, 3, 11),
    [
      "  1 | a",
      "  2 | b",
      "> 3 | const x = boom();",
      "    |           ^",
      "  4 | d",
      "  5 | e",
    ].join("\n"),
  );
});

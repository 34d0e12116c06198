/**
 * `<Head>` merging as in Fresh 1.x: a page's `<title>` replaces the one in
 * `_app`'s `<head>`, and of several `<Head>` children with the same `key`
 * only the last is kept.
 * @module
 */
import assert from "node:assert/strict";
import { h } from "preact";
import {
  createHandler,
  type LayoutProps,
  type Manifest,
} from "$fresh/server.ts";
import { Head } from "$fresh/runtime.ts";

const BASE_URL = new URL("./_inline_app/fresh.gen.ts", import.meta.url).href;

function app(): Manifest["routes"][string] {
  return {
    default: ({ Component }: LayoutProps) =>
      h(
        "html",
        null,
        h(
          "head",
          null,
          h("title", null, "App title"),
          h("meta", { name: "description", content: "app" }),
        ),
        h("body", null, h(Component, null)),
      ),
  };
}

async function page(
  routes: Manifest["routes"],
  path: string,
): Promise<{ head: string; titles: string[] }> {
  const manifest: Manifest = { routes, islands: {}, baseUrl: BASE_URL };
  const handler = await createHandler(manifest, {}, { dev: false });
  const html = await (await handler(new Request(`http://localhost${path}`)))
    .text();
  const head = html.slice(html.indexOf("<head>"), html.indexOf("</head>"));
  const titles = [...html.matchAll(/<title>(.*?)<\/title>/g)].map((m) => m[1]);
  return { head, titles };
}

Deno.test("head: a page's <Head><title> replaces the app's title (one <title> in the document)", async () => {
  const { titles } = await page({
    "./routes/_app.tsx": app(),
    "./routes/about.tsx": {
      default: () =>
        h("main", null, h(Head, null, h("title", null, "About")), "about"),
    },
  }, "/about");
  assert.deepEqual(titles, ["About"]);
});

Deno.test("head: without a <Head> title the app's title stays", async () => {
  const { titles } = await page({
    "./routes/_app.tsx": app(),
    "./routes/plain.tsx": { default: () => h("p", null, "plain") },
  }, "/plain");
  assert.deepEqual(titles, ["App title"]);
});

Deno.test("head: of <Head> children with the same key the last one wins; the last <Head> title wins", async () => {
  const Description = ({ text }: { text: string }) =>
    h(
      Head,
      null,
      h("meta", { key: "description", name: "og:title", content: text }),
      h("title", null, text),
    );
  const { head, titles } = await page({
    "./routes/_app.tsx": app(),
    "./routes/twice.tsx": {
      default: () =>
        h(
          "main",
          null,
          h(Description, { text: "first" }),
          h(Description, { text: "second" }),
        ),
    },
  }, "/twice");
  assert.deepEqual(titles, ["second"]);
  const og = [...head.matchAll(/<meta name="og:title" content="([^"]*)"/g)]
    .map((m) => m[1]);
  assert.deepEqual(og, ["second"]);
  assert.match(head, /<meta name="description" content="app"\/?>/);
});

Deno.test("head: a <Head> title also wins on a page without _app", async () => {
  const { titles, head } = await page({
    "./routes/solo.tsx": {
      default: () => h("p", null, h(Head, null, h("title", null, "Solo"))),
    },
  }, "/solo");
  assert.deepEqual(titles, ["Solo"]);
  assert.match(head, /<meta charset="utf-8">/);
});

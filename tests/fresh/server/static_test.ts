/**
 * Static files (content type, ETag/304, asset() caching, traversal) and
 * the dev additions, on the fixture app.
 * @module
 */
import assert from "node:assert/strict";
import { asset } from "$fresh/runtime.ts";
import { createHandler } from "$fresh/server.ts";
import { fixture, manifest, request } from "./_fixture.ts";

await fixture();

Deno.test("static: served with content type, length and a content ETag", async () => {
  const { res, text } = await request("/hello.txt");
  assert.equal(res.status, 200);
  assert.equal(text, "hello from static\n");
  assert.equal(res.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(res.headers.get("content-length"), String(text.length));
  assert.match(res.headers.get("etag")!, /^"[0-9a-f]{32}"$/);
  assert.equal(
    res.headers.get("cache-control"),
    null,
    "no asset() key: no long caching",
  );

  const svg = await request("/logo.svg");
  assert.equal(
    svg.res.headers.get("content-type"),
    "image/svg+xml; charset=utf-8",
  );
  assert.notEqual(svg.res.headers.get("etag"), res.headers.get("etag"));
});

Deno.test("static: If-None-Match with the ETag gives 304 without a body", async () => {
  const first = await request("/hello.txt");
  const etag = first.res.headers.get("etag")!;
  for (const header of [etag, `W/${etag}`, `"other", ${etag}`]) {
    const again = await request("/hello.txt", {
      headers: { "if-none-match": header },
    });
    assert.equal(again.res.status, 304, header);
    assert.equal(again.text, "");
    assert.equal(again.res.headers.get("etag"), etag);
  }
  const stale = await request("/hello.txt", {
    headers: { "if-none-match": '"stale"' },
  });
  assert.equal(stale.res.status, 200);
});

Deno.test("static: HEAD has the headers and no body; POST goes to routes (404 here)", async () => {
  const head = await request("/hello.txt", { method: "HEAD" });
  assert.equal(head.res.status, 200);
  assert.equal(head.text, "");
  assert.equal(head.res.headers.get("content-length"), "18");
  const post = await request("/hello.txt", { method: "POST" });
  assert.equal(post.res.status, 404);
});

Deno.test("static: traversal attempts never read outside the folder", async () => {
  const app = await fixture();
  const attempts = [
    "/../fresh.gen.ts",
    "/%2e%2e/fresh.gen.ts",
    "/%2E%2E/main.ts",
    "/..%2ffresh.gen.ts",
    "/..%2Fmain.ts",
    "/%2e%2e%2fmain.ts",
    "/..%5cmain.ts",
    "/hello.txt%00.svg",
    "/%00",
    "/static/../../fresh.gen.ts",
    "/%252e%252e/main.ts",
    "/..%c0%afmain.ts",
    "/%ff",
  ];
  for (const path of attempts) {
    const res = await app(new Request(`http://localhost${path}`));
    const body = await res.text();
    assert.ok(
      res.status === 404 || res.status === 400,
      `${path}: ${res.status}`,
    );
    assert.doesNotMatch(body, /manifest|start\(|import /, path);
  }
});

Deno.test("static: asset() adds the build id; such URLs are cached immutably", async () => {
  const { text } = await request("/about");
  const src = /<img src="([^"]+)"/.exec(text)![1];
  assert.match(src, /^\/logo\.svg\?__frsh_c=[0-9a-z]+$/);
  assert.equal(asset("/logo.svg"), src, "same id on the server side");
  assert.equal(asset("https://cdn.example/x.png"), "https://cdn.example/x.png");
  assert.equal(asset("//cdn.example/x.png"), "//cdn.example/x.png");
  assert.equal(asset("relative.png"), "relative.png");
  assert.equal(asset(src), src, "not added twice");
  assert.match(
    asset("/a.css?v=1#top"),
    /^\/a\.css\?v=1&__frsh_c=[0-9a-z]+#top$/,
  );

  const file = await request(src);
  assert.equal(file.res.status, 200);
  assert.equal(
    file.res.headers.get("cache-control"),
    "public, max-age=31536000, immutable",
  );
});

Deno.test("dev: every page gets the live reload script, and only that without islands", async () => {
  const dev = await createHandler(manifest, {}, { dev: true });
  const about = await (await dev(new Request("http://localhost/about"))).text();
  const scripts = [...about.matchAll(/<script[^>]*>/g)].map((m) => m[0]);
  assert.equal(scripts.length, 1);
  const src = /src="([^"]+)"/.exec(scripts[0])![1];
  assert.match(scripts[0], /type="module"/);
  const client = await dev(new Request(`http://localhost${src}`));
  assert.equal(client.status, 200);
  assert.match(client.headers.get("content-type")!, /javascript/);
  await client.body?.cancel();

  const home = await (await dev(new Request("http://localhost/"))).text();
  assert.ok(home.includes(`src="${src}"`));
  assert.match(home, /__FRSH_STATE/);
  const file = await dev(new Request("http://localhost/hello.txt"));
  assert.equal(
    file.headers.get("cache-control"),
    "no-cache",
    "dev: always revalidate",
  );
  await file.body?.cancel();
});

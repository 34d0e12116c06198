/**
 * File routes of the fixture app through `createHandler`: matching and
 * precedence, groups, layouts, `_app`, middleware, methods, errors.
 * @module
 */
import assert from "node:assert/strict";
import { capturingErrors, fixture, request } from "./_fixture.ts";

await fixture(); // bundles once, outside the tests' resource sanitizers

Deno.test("routing: index, static, [param], [...rest] with static > param > rest", async () => {
  const home = await request("/");
  assert.equal(home.res.status, 200);
  assert.match(home.text, /<h1>Home<\/h1>/);

  const fixed = await request("/blog/new");
  assert.match(fixed.text, /id="new-post">static beats param/);

  const param = await request("/blog/hello-world");
  assert.match(
    param.text,
    /id="post" data-route="\/blog\/:slug" data-param="hello-world">Post hello-world/,
  );

  const rest = await request("/blog/2026/11/21");
  assert.match(rest.text, /id="blog-rest">rest: 2026\/11\/21/);

  const restApi = await request("/api/a/b/c");
  assert.deepEqual(JSON.parse(restApi.text).path, "a/b/c");
  const restEmpty = await request("/api");
  assert.equal(
    restEmpty.res.status,
    200,
    "[...rest] also matches the folder itself",
  );
  assert.equal(JSON.parse(restEmpty.text).path, "");

  const items = await request("/api/items");
  assert.deepEqual(
    JSON.parse(items.text),
    { items: [1, 2] },
    "a static route beats [...path]",
  );
});

Deno.test("routing: params are decoded", async () => {
  const { text } = await request("/blog/caf%C3%A9%20au%20lait");
  assert.match(text, /data-param="café au lait"/);
});

Deno.test("routing: (group) folders are not in the URL and their layout applies only inside", async () => {
  const pricing = await request("/pricing");
  assert.equal(pricing.res.status, 200);
  assert.match(pricing.text, /<div class="marketing-layout"><h1 id="pricing">/);
  const about = await request("/about");
  assert.doesNotMatch(about.text, /marketing-layout/);
  assert.equal((await request("/(marketing)/pricing")).res.status, 404);
});

Deno.test("routing: _app wraps _layout wraps the page; config skips them", async () => {
  const { text } = await request("/blog/new");
  assert.match(
    text,
    /^<!DOCTYPE html><html lang="en"><head>.*<title>Fixture<\/title>.*<body><div id="app"><div class="root-layout"><nav>fixture nav<\/nav><h1 id="new-post">/,
  );
  const bare = await request("/bare");
  assert.doesNotMatch(bare.text, /id="app"|root-layout/);
  assert.match(bare.text, /<p id="bare">no app, no layout<\/p>/);
  assert.match(
    bare.text,
    /^<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="viewport"/,
  );
});

Deno.test("routing: routeOverride replaces the file's pattern", async () => {
  const { res, text } = await request("/custom/42");
  assert.equal(res.status, 200);
  assert.match(text, /override 42/);
  assert.equal((await request("/override")).res.status, 404);
});

Deno.test("routing: trailing slash redirects with 308 to the path without it, relative (no Host echoed)", async () => {
  const { res } = await request("/about/?x=1");
  assert.equal(res.status, 308);
  assert.equal(res.headers.get("location"), "/about?x=1");
  const sneaky = await request("//evil.example/");
  assert.equal(sneaky.res.status, 308);
  const location = sneaky.res.headers.get("location")!;
  assert.equal(new URL(location, "http://localhost/").host, "localhost");
  assert.equal(
    (await request("/")).res.status,
    200,
    "the root is not redirected",
  );
});

Deno.test("middleware: outer first, state shared, array handlers in order, destination", async () => {
  const { res, text } = await request("/api/x");
  assert.deepEqual(JSON.parse(text).trail, ["root", "api", "api2"]);
  assert.equal(
    res.headers.get("x-trail"),
    "root>api>api2",
    "the outer one sees the inner changes",
  );
  assert.equal(res.headers.get("x-destination"), "route");

  const page = await request("/about");
  assert.equal(
    page.res.headers.get("x-trail"),
    "root",
    "api middleware stays in /api",
  );

  const file = await request("/hello.txt");
  assert.equal(file.res.headers.get("x-destination"), "static");
  const missing = await request("/nowhere");
  assert.equal(missing.res.headers.get("x-destination"), "notFound");
  const bundle = await request("/_frsh/js/nope/main.js");
  assert.equal(bundle.res.headers.get("x-destination"), "internal");
});

Deno.test("middleware: a response without ctx.next() short-circuits the route", async () => {
  const { res, text } = await request("/api/items", {
    headers: { "x-block": "1" },
  });
  assert.equal(res.status, 403);
  assert.equal(text, "blocked by middleware");
  assert.equal(res.headers.get("x-handler"), null);
});

Deno.test("handlers: methods, 405 with Allow, HEAD falls back to GET", async () => {
  const post = await request("/api/items", {
    method: "POST",
    body: JSON.stringify({ a: 1 }),
  });
  assert.equal(post.res.status, 201);
  assert.deepEqual(JSON.parse(post.text), { got: { a: 1 } });

  const del = await request("/api/items", { method: "DELETE" });
  assert.equal(del.res.status, 405);
  assert.deepEqual(del.res.headers.get("allow")?.split(", ").sort(), [
    "GET",
    "HEAD",
    "POST",
  ]);
  assert.equal(JSON.parse(del.text).error.code, "method_not_allowed");

  const head = await request("/api/items", { method: "HEAD" });
  assert.equal(head.res.status, 200);
  assert.equal(head.res.headers.get("x-handler"), "get");
  assert.equal(head.text, "");

  const pageHead = await request("/about", { method: "HEAD" });
  assert.equal(pageHead.res.status, 200);
  assert.equal(pageHead.text, "");

  const pagePost = await request("/about", { method: "POST" });
  assert.equal(pagePost.res.status, 405, "a page-only route answers GET only");
  assert.equal(pagePost.res.headers.get("allow"), "GET, HEAD");
});

Deno.test("handlers: ctx.render(data, {headers}) reaches props.data; renderNotFound gives 404", async () => {
  const { res, text } = await request("/blog/first");
  assert.equal(res.headers.get("x-rendered"), "yes");
  assert.match(text, />Post first</);
  const missing = await request("/blog/missing");
  assert.equal(missing.res.status, 404);
  assert.match(missing.text, /id="not-found">Nothing at \/blog\/missing/);
});

Deno.test("handlers: ctx has params, state, url, route, remoteAddr, isPartial, basePath, config", async () => {
  const { text } = await request("/api/whoami?q=1", undefined, {
    remoteAddr: { transport: "tcp", hostname: "203.0.113.9", port: 4711 },
    completed: Promise.resolve(),
  });
  const ctx = JSON.parse(text);
  assert.equal(ctx.remote, "203.0.113.9");
  assert.equal(ctx.port, 4711);
  assert.equal(ctx.route, "/api/whoami");
  assert.equal(ctx.destination, "route");
  assert.equal(ctx.isPartial, false);
  assert.equal(ctx.basePath, "");
  assert.equal(ctx.url, "http://localhost/api/whoami?q=1");
  assert.match(ctx.staticDir, /fixtures\/fresh_app\/static$/);
});

Deno.test("pages: an async page gets (req, ctx) and may return a Response", async () => {
  const { text } = await request("/async");
  assert.match(text, /id="async">async page for \/async, trail root</);
  assert.match(text, /root-layout/, "still wrapped by layout and app");
  const redirect = await request("/async?redirect");
  assert.equal(redirect.res.status, 303);
  assert.equal(redirect.res.headers.get("location"), "/");
});

Deno.test("pages: <Head> children go into <head>", async () => {
  const { text } = await request("/about");
  const head = text.slice(text.indexOf("<head>"), text.indexOf("</head>"));
  assert.match(head, /<title>About the fixture<\/title>/);
  assert.doesNotMatch(text.slice(text.indexOf("<body")), /About the fixture/);
});

Deno.test("errors: unknown path renders _404 with 404", async () => {
  const { res, text } = await request("/no/such/page");
  assert.equal(res.status, 404);
  assert.match(res.headers.get("content-type")!, /^text\/html/);
  assert.match(text, /id="not-found">Nothing at \/no\/such\/page/);
  assert.match(text, /id="app"/, "inside _app");
});

Deno.test("errors: a throwing page renders _500 with 500 and logs method and path, not the query", async () => {
  const { result, logged } = await capturingErrors(() =>
    request("/boom?token=SECRET123")
  );
  assert.equal(result.res.status, 500);
  assert.match(result.text, /id="server-error">Broken: page exploded/);
  assert.equal(logged.length, 1);
  assert.match(logged[0], /GET \/boom\b/);
  assert.match(logged[0], /page exploded/);
  assert.doesNotMatch(logged.join("\n"), /SECRET123/);
});

Deno.test("errors: a throwing handler gives 500 through the middleware; HttpError gives its JSON", async () => {
  const { result, logged } = await capturingErrors(() => request("/api/fail"));
  assert.equal(result.res.status, 500);
  assert.deepEqual(
    JSON.parse(result.text),
    { error: { code: "internal", message: "internal server error" } },
    "the API's 500 is the app's JSON (onError), without the error's text",
  );
  assert.equal(
    result.res.headers.get("x-trail"),
    "root>api>api2",
    "middleware saw the 500",
  );
  assert.match(logged[0], /GET \/api\/fail/);

  const client = await capturingErrors(() => request("/api/fail?client"));
  assert.equal(client.result.res.status, 400);
  assert.deepEqual(JSON.parse(client.result.text), {
    error: { code: "bad_request", message: "the client did it" },
  });
  assert.equal(
    client.logged.length,
    0,
    "a client error is not logged as a server error",
  );
});

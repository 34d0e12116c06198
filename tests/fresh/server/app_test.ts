/**
 * `createHandler` on small inline manifests: precedence, default pages,
 * plugins, layout options, `_404` handlers, `router.trailingSlash`.
 * @module
 */
import assert from "node:assert/strict";
import { h } from "preact";
import {
  createHandler,
  type FreshContext,
  HttpError,
  type LayoutProps,
  type Manifest,
  type Plugin,
  type ResolvedFreshConfig,
} from "$fresh/server.ts";

const BASE_URL = new URL("./_inline_app/fresh.gen.ts", import.meta.url).href;

/** A route module whose handler answers with its own name. */
function named(name: string) {
  return {
    handler: (_req: Request, ctx: FreshContext) =>
      Response.json({ name, params: ctx.params }),
  };
}

async function get(manifest: Manifest, path: string, config = {}) {
  const handler = await createHandler(manifest, config, { dev: false });
  const res = await handler(new Request(`http://localhost${path}`));
  return { res, text: await res.text() };
}

Deno.test("precedence: manifest order does not matter; static > [param] > [[optional]] > [...rest]", async () => {
  const manifest: Manifest = {
    routes: {
      "./routes/[...all].ts": named("rest"),
      "./routes/docs/[[page]].ts": named("optional"),
      "./routes/docs/[page]/[...sub].ts": named("page-rest"),
      "./routes/[id].ts": named("param"),
      "./routes/docs/intro.ts": named("docs-intro"),
      "./routes/about.ts": named("about"),
      "./routes/index.ts": named("index"),
      "./routes/docs/v[major].ts": named("mixed"),
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const handler = await createHandler(manifest, {}, { dev: false });
  const nameOf = async (path: string) => {
    const res = await handler(new Request(`http://localhost${path}`));
    return (await res.json()) as {
      name: string;
      params: Record<string, string>;
    };
  };
  assert.equal((await nameOf("/")).name, "index");
  assert.equal((await nameOf("/about")).name, "about");
  assert.deepEqual(await nameOf("/42"), {
    name: "param",
    params: { id: "42" },
  });
  assert.deepEqual(await nameOf("/a/b/c"), {
    name: "rest",
    params: { all: "a/b/c" },
  });
  assert.equal((await nameOf("/docs/intro")).name, "docs-intro");
  assert.deepEqual(await nameOf("/docs/v2"), {
    name: "mixed",
    params: { major: "2" },
  });
  assert.deepEqual(await nameOf("/docs/other"), {
    name: "optional",
    params: { page: "other" },
  });
  assert.deepEqual(await nameOf("/docs"), { name: "optional", params: {} });
  assert.deepEqual(await nameOf("/docs/guide/x/y"), {
    name: "page-rest",
    params: { page: "guide", sub: "x/y" },
  });
});

Deno.test("default pages: 404 and 500 without _404/_500, with a default <head>", async () => {
  const manifest: Manifest = {
    routes: {
      "./routes/boom.tsx": {
        default: () => {
          throw new Error("nope");
        },
      },
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const missing = await get(manifest, "/missing");
  assert.equal(missing.res.status, 404);
  assert.match(
    missing.text,
    /^<!DOCTYPE html><html><head><meta charset="utf-8">/,
  );
  assert.match(missing.text, /404/);
  const original = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const boom = await get(manifest, "/boom");
    assert.equal(boom.res.status, 500);
    assert.match(boom.text, /500/);
    assert.doesNotMatch(
      boom.text,
      /nope/,
      "the default page does not show the error",
    );
    assert.equal(logged.length, 1);
  } finally {
    console.error = original;
  }
});

Deno.test("pages: no island → no <script> at all", async () => {
  const manifest: Manifest = {
    routes: { "./routes/index.tsx": { default: () => h("p", null, "plain") } },
    islands: {},
    baseUrl: BASE_URL,
  };
  const { text } = await get(manifest, "/");
  assert.match(text, /<p>plain<\/p>/);
  assert.doesNotMatch(text, /<script|modulepreload/);
});

Deno.test("plugins: configResolved, middlewares and routes are mounted", async () => {
  let resolved: ResolvedFreshConfig | undefined;
  const plugin: Plugin = {
    name: "test",
    configResolved: (config) => {
      resolved = config;
    },
    middlewares: [{
      path: "/",
      middleware: {
        handler: async (_req, ctx) => {
          ctx.state.plugin = "yes";
          const res = await ctx.next();
          res.headers.set("x-plugin", "seen");
          return res;
        },
      },
    }],
    routes: [
      { path: "/plugin.txt", handler: () => new Response("from plugin") },
      {
        path: "/plugin/[id]",
        handler: (_req, ctx) =>
          new Response(`${ctx.params.id} ${ctx.state.plugin}`),
      },
    ],
  };
  const manifest: Manifest = { routes: {}, islands: {}, baseUrl: BASE_URL };
  const handler = await createHandler(manifest, { plugins: [plugin] }, {
    dev: false,
  });
  assert.equal(resolved?.root.endsWith("_inline_app"), true);
  const file = await handler(new Request("http://localhost/plugin.txt"));
  assert.equal(await file.text(), "from plugin");
  assert.equal(file.headers.get("x-plugin"), "seen");
  const param = await handler(new Request("http://localhost/plugin/7"));
  assert.equal(await param.text(), "7 yes");
});

Deno.test("layouts: a layout's skipInheritedLayouts and skipAppWrapper", async () => {
  const layout = (name: string) => ({ Component }: LayoutProps) =>
    h("div", { class: name }, h(Component, null));
  const manifest: Manifest = {
    routes: {
      "./routes/_app.tsx": {
        default: ({ Component }: LayoutProps) =>
          h("html", null, h("body", { class: "app" }, h(Component, null))),
      },
      "./routes/_layout.tsx": { default: layout("outer") },
      "./routes/a/_layout.tsx": { default: layout("a") },
      "./routes/a/b/_layout.tsx": {
        default: layout("b"),
        config: { skipInheritedLayouts: true },
      },
      "./routes/a/page.tsx": { default: () => h("p", null, "a page") },
      "./routes/a/b/page.tsx": { default: () => h("p", null, "b page") },
      "./routes/solo/_layout.tsx": {
        default: layout("solo"),
        config: { skipAppWrapper: true },
      },
      "./routes/solo/index.tsx": { default: () => h("p", null, "solo") },
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const handler = await createHandler(manifest, {}, { dev: false });
  const html = async (path: string) =>
    await (await handler(new Request(`http://localhost${path}`))).text();
  assert.match(
    await html("/a/page"),
    /<body class="app"><div class="outer"><div class="a"><p>a page<\/p><\/div><\/div>/,
  );
  assert.match(
    await html("/a/b/page"),
    /<body class="app"><div class="b"><p>b page/,
  );
  const solo = await html("/solo");
  assert.doesNotMatch(solo, /class="app"/);
  assert.match(solo, /<div class="outer"><div class="solo"><p>solo/);
});

Deno.test("middleware: a (group) folder's middleware runs only for its routes", async () => {
  const mark = (name: string) => ({
    handler: async (_req: Request, ctx: FreshContext) => {
      const res = await ctx.next();
      res.headers.append("x-mw", name);
      return res;
    },
  });
  const manifest: Manifest = {
    routes: {
      "./routes/_middleware.ts": mark("root"),
      "./routes/(admin)/_middleware.ts": mark("admin"),
      "./routes/(admin)/panel.ts": named("panel"),
      "./routes/open.ts": named("open"),
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const handler = await createHandler(manifest, {}, { dev: false });
  const mw = async (path: string) => {
    const res = await handler(new Request(`http://localhost${path}`));
    await res.body?.cancel();
    return res.headers.get("x-mw");
  };
  assert.equal(await mw("/panel"), "admin, root");
  assert.equal(await mw("/open"), "root");
  assert.equal(await mw("/missing"), "root");
});

Deno.test("_404 with a handler: ctx.render() answers 404 with the page", async () => {
  const manifest: Manifest = {
    routes: {
      "./routes/_404.tsx": {
        handler: (_req: Request, ctx: FreshContext) =>
          ctx.render({ hint: "try /" }),
        default: ({ data }: { data: { hint: string } }) =>
          h("p", null, data.hint),
      },
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const { res, text } = await get(manifest, "/gone");
  assert.equal(res.status, 404);
  assert.match(text, /<p>try \/<\/p>/);
});

Deno.test("router.trailingSlash: /about → /about/ (308), files untouched", async () => {
  const manifest: Manifest = {
    routes: { "./routes/about.ts": named("about") },
    islands: {},
    baseUrl: BASE_URL,
  };
  const config = { router: { trailingSlash: true } };
  const redirect = await get(manifest, "/about", config);
  assert.equal(redirect.res.status, 308);
  assert.equal(redirect.res.headers.get("location"), "/about/");
  const page = await get(manifest, "/about/", config);
  assert.equal(JSON.parse(page.text).name, "about");
  const file = await get(manifest, "/logo.svg", config);
  assert.equal(
    file.res.status,
    404,
    "a path with an extension is not redirected",
  );
});

Deno.test("static: {outDir}/static is looked at before the static folder", async () => {
  // Under the repository (tests/.tmp is ignored) so its deno.json resolves imports.
  const tmp = new URL("../../.tmp/", import.meta.url).pathname;
  await Deno.mkdir(tmp, { recursive: true });
  const root = await Deno.makeTempDir({ dir: tmp, prefix: "fresh-static-" });
  try {
    await Deno.mkdir(`${root}/static`);
    await Deno.mkdir(`${root}/_fresh/static`, { recursive: true });
    await Deno.writeTextFile(`${root}/static/styles.css`, "/* source */");
    await Deno.writeTextFile(`${root}/_fresh/static/styles.css`, "/* built */");
    await Deno.writeTextFile(`${root}/static/only.txt`, "only in static");
    const manifest: Manifest = {
      routes: {},
      islands: {},
      baseUrl: new URL(`file://${root}/fresh.gen.ts`).href,
    };
    const handler = await createHandler(manifest, {}, { dev: false });
    const css = await handler(new Request("http://localhost/styles.css"));
    assert.equal(await css.text(), "/* built */");
    assert.equal(css.headers.get("content-type"), "text/css; charset=utf-8");
    const txt = await handler(new Request("http://localhost/only.txt"));
    assert.equal(await txt.text(), "only in static");
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("handlers: ctx.next() from the route itself answers 404 (no loop)", async () => {
  const manifest: Manifest = {
    routes: {
      "./routes/_middleware.ts": {
        handler: (_req: Request, ctx: FreshContext) => ctx.next(),
      },
      "./routes/pass.ts": {
        handler: (_req: Request, ctx: FreshContext) => ctx.next(),
      },
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const { res } = await get(manifest, "/pass");
  assert.equal(res.status, 404);
});

Deno.test("errors: without onError an HttpError is plain text; onError answers thrown errors and the 405 in the app's format", async () => {
  const manifest: Manifest = {
    routes: {
      "./routes/teapot.ts": {
        handler: () => {
          throw new HttpError(418, "teapot", "short and stout", {
            "x-why": "tea",
          });
        },
      },
      "./routes/only-get.ts": { handler: { GET: () => new Response("ok") } },
    },
    islands: {},
    baseUrl: BASE_URL,
  };
  const plain = await get(manifest, "/teapot");
  assert.equal(plain.res.status, 418);
  assert.match(plain.res.headers.get("content-type")!, /^text\/plain/);
  assert.equal(plain.res.headers.get("x-why"), "tea");
  assert.equal(plain.text, "short and stout");

  const seen: string[] = [];
  const onError = (err: unknown, req: Request) => {
    seen.push(new URL(req.url).pathname);
    return err instanceof HttpError
      ? Response.json({ oops: err.code }, {
        status: err.status,
        headers: err.headers,
      })
      : null;
  };
  const own = await get(manifest, "/teapot", { onError });
  assert.equal(own.res.status, 418);
  assert.deepEqual(JSON.parse(own.text), { oops: "teapot" });

  const handler = await createHandler(manifest, { onError }, { dev: false });
  const put = await handler(
    new Request("http://localhost/only-get", { method: "PUT" }),
  );
  assert.equal(put.status, 405);
  assert.equal(put.headers.get("allow"), "GET, HEAD");
  assert.deepEqual(await put.json(), { oops: "method_not_allowed" });
  assert.deepEqual(seen, ["/teapot", "/only-get"]);
});

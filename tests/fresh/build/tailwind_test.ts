import assert from "node:assert/strict";
import { join } from "node:path";
import { tailwind } from "../../../lib/fresh/plugins/tailwind.ts";
import { resolveConfig } from "../../../lib/fresh/src/build/config.ts";
import type {
  PluginContext,
  ResolvedFreshConfig,
} from "../../../lib/fresh/src/types.ts";
import { tempApp } from "./temp_app.ts";

const FILES = {
  "static/styles.css": '@import "tailwindcss";\n',
  "routes/index.tsx":
    'export default () => <main class="mx-auto max-w-2xl p-4">home</main>;\n',
  "islands/Button.tsx":
    'export default () => <button class="rounded bg-sky-600 hover:bg-sky-700">go</button>;\n',
  "components/Card.tsx":
    'export const Card = () => <div class="shadow-md text-emerald-700" />;\n',
  "lib/other.ts": 'export const notScanned = "bg-lime-900";\n',
};

/** Requests through the plugin's middleware; `next` stands for the static files. */
function stylesRoute(config: ResolvedFreshConfig) {
  const plugin = tailwind();
  const middleware = plugin.middlewares!.find((m) => m.path === "/")!;
  const ctx = {
    config,
    params: {},
    state: {},
    next: () => Promise.resolve(new Response("static file")),
  } satisfies PluginContext;
  return {
    plugin,
    get: async (path = "/styles.css", headers: HeadersInit = {}) => {
      const res = await middleware.middleware.handler(
        new Request(`http://localhost${path}`, { headers }),
        ctx,
      );
      return { res, css: await res.text() };
    },
  };
}

Deno.test("tailwind: dev serves /styles.css with the classes used in routes, islands and components", async () => {
  await using app = await tempApp(FILES);
  const config = resolveConfig(`file://${app.root}/fresh.gen.ts`, {}, {
    dev: true,
  });
  const { get } = stylesRoute(config);
  const { res, css } = await get();
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type")!, /^text\/css/);
  for (
    const cls of [
      ".mx-auto",
      ".max-w-2xl",
      ".p-4",
      ".rounded",
      ".bg-sky-600",
      ".hover\\:bg-sky-700:hover",
      ".shadow-md",
      ".text-emerald-700",
    ]
  ) {
    assert.ok(css.includes(cls), `missing ${cls}`);
  }
  assert.ok(!css.includes("bg-lime-900"), "scanned a folder it should not");
  assert.ok(!css.includes('@import "tailwindcss"'));

  // A change in an island shows up on the next request.
  await app.write(
    "islands/Button.tsx",
    'export default () => <button class="underline">go</button>;\n',
  );
  const after = await get();
  assert.ok(after.css.includes(".underline"));
  assert.ok(!after.css.includes(".bg-sky-600"));

  // Unchanged CSS: a 304 for the browser's ETag.
  const again = await get("/styles.css", {
    "if-none-match": after.res.headers.get("etag")!,
  });
  assert.equal(again.res.status, 304);
  // Other paths go on to the static files and routes.
  assert.equal((await get("/logo.svg")).css, "static file");
});

Deno.test("tailwind: build writes minified CSS to {outDir}/static/styles.css, left to the static files", async () => {
  await using app = await tempApp(FILES);
  const config = resolveConfig(`file://${app.root}/fresh.gen.ts`, {}, {
    dev: false,
  });
  const { plugin, get } = stylesRoute(config);

  // Production without a build: compiled (minified) on request.
  const unbuilt = (await get()).css;
  assert.ok(unbuilt.includes(".bg-sky-600{"));

  await plugin.buildStart!(config);
  const written = await Deno.readTextFile(
    join(app.root, "_fresh/static/styles.css"),
  );
  assert.ok(written.includes(".bg-sky-600{"));
  assert.ok(!written.includes("\n  "), "not minified");
  assert.equal((await get()).css, "static file");
});

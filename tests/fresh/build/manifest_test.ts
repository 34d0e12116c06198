import assert from "node:assert/strict";
import {
  collectManifestFiles,
  renderManifest,
  writeManifest,
} from "../../../lib/fresh/src/build/manifest.ts";
import { tempApp } from "./temp_app.ts";

const PAGE = "export default function Page() { return <p>page</p>; }\n";
const HANDLER = "export const handler = () => new Response('ok');\n";

const APP_FILES = {
  "routes/index.tsx": PAGE,
  "routes/about.tsx": PAGE,
  "routes/_app.tsx": PAGE,
  "routes/_404.tsx": PAGE,
  "routes/_middleware.ts": HANDLER,
  "routes/blog/_layout.tsx": PAGE,
  "routes/blog/[slug].tsx": PAGE,
  "routes/docs/[...rest].tsx": PAGE,
  "routes/(marketing)/pricing.tsx": PAGE,
  "routes/api/events.ts": HANDLER,
  "routes/api/legacy.js": HANDLER,
  "routes/about_test.ts": "// a test next to a route is not a route\n",
  "routes/.hidden.tsx": PAGE,
  "routes/.drafts/wip.tsx": PAGE,
  "routes/.well-known/mercure.ts": HANDLER,
  "routes/README.md": "not a module\n",
  "islands/Counter.tsx": PAGE,
  "islands/chat/MessageList.tsx": PAGE,
};

Deno.test("manifest: collects routes (nested, params, groups, special files) and islands", async () => {
  await using app = await tempApp(APP_FILES);
  const files = await collectManifestFiles(app.root);
  assert.deepEqual(files.routes, [
    "./routes/(marketing)/pricing.tsx",
    "./routes/.well-known/mercure.ts",
    "./routes/_404.tsx",
    "./routes/_app.tsx",
    "./routes/_middleware.ts",
    "./routes/about.tsx",
    "./routes/api/events.ts",
    "./routes/api/legacy.js",
    "./routes/blog/[slug].tsx",
    "./routes/blog/_layout.tsx",
    "./routes/docs/[...rest].tsx",
    "./routes/index.tsx",
  ]);
  assert.deepEqual(files.islands, [
    "./islands/Counter.tsx",
    "./islands/chat/MessageList.tsx",
  ]);
});

Deno.test("manifest: fresh.gen.ts is in the Fresh 1.x format and deno fmt style", async () => {
  await using app = await tempApp(APP_FILES);
  const { changed, path } = await writeManifest(app.root);
  assert.deepEqual(changed, true);
  const text = await Deno.readTextFile(path);
  for (
    const line of [
      'import * as $blog_slug_ from "./routes/blog/[slug].tsx";',
      'import * as $docs_rest_ from "./routes/docs/[...rest].tsx";',
      'import * as $_marketing_pricing from "./routes/(marketing)/pricing.tsx";',
      'import * as $Counter from "./islands/Counter.tsx";',
      'import * as $chat_MessageList from "./islands/chat/MessageList.tsx";',
      'import type { Manifest } from "$fresh/server.ts";',
      '    "./routes/index.tsx": $index,',
      '    "./islands/Counter.tsx": $Counter,',
      "  baseUrl: import.meta.url,",
      "} satisfies Manifest;",
      "export default manifest;",
    ]
  ) {
    assert.deepEqual(text.includes(line + "\n"), true, `missing: ${line}`);
  }
  assert.deepEqual(text.includes("about_test"), false);
  assert.deepEqual(text.includes(".hidden"), false);
  assert.deepEqual(text.includes("wip"), false);
  // Already formatted: deno fmt would not change it.
  const check = await new Deno.Command(Deno.execPath(), {
    args: ["fmt", "--check", path],
    stdout: "null",
    stderr: "null",
  }).output();
  assert.deepEqual(check.code, 0);
});

Deno.test("manifest: the generated module imports and has every route and island", async () => {
  await using app = await tempApp(APP_FILES);
  const { path } = await writeManifest(app.root);
  const manifest = (await import(`file://${path}`)).default;
  assert.deepEqual(Object.keys(manifest.routes).length, 12);
  assert.deepEqual(Object.keys(manifest.islands), [
    "./islands/Counter.tsx",
    "./islands/chat/MessageList.tsx",
  ]);
  assert.deepEqual(
    typeof manifest.routes["./routes/index.tsx"].default,
    "function",
  );
  assert.deepEqual(manifest.baseUrl, `file://${path}`);
});

Deno.test("manifest: output is the same whatever order the files were created in", async () => {
  const entries = Object.entries(APP_FILES);
  await using a = await tempApp(Object.fromEntries(entries));
  await using b = await tempApp(Object.fromEntries(entries.reverse()));
  assert.deepEqual(
    renderManifest(await collectManifestFiles(a.root)),
    renderManifest(await collectManifestFiles(b.root)),
  );
});

Deno.test("manifest: an unchanged set of files does not rewrite the file; a new island does", async () => {
  await using app = await tempApp(APP_FILES);
  const first = await writeManifest(app.root);
  const before = await Deno.stat(first.path);
  const text = await app.read("fresh.gen.ts");

  await app.write("routes/index.tsx", PAGE + "// edited\n");
  const second = await writeManifest(app.root);
  assert.deepEqual(second.changed, false);
  assert.deepEqual(
    (await Deno.stat(first.path)).mtime?.getTime(),
    before.mtime?.getTime(),
  );
  assert.deepEqual(await app.read("fresh.gen.ts"), text);

  await app.write("islands/NewIsland.tsx", PAGE);
  const third = await writeManifest(app.root);
  assert.deepEqual(third.changed, true);
  const after = await app.read("fresh.gen.ts");
  assert.notEqual(after, text);
  assert.deepEqual(
    after.includes('"./islands/NewIsland.tsx": $NewIsland,'),
    true,
  );
});

Deno.test("manifest: identifiers stay unique when names collide", () => {
  const text = renderManifest({
    routes: ["./routes/a-b.tsx", "./routes/a_b.tsx"],
    islands: ["./islands/a_b.tsx"],
  });
  assert.deepEqual(text.includes("import * as $a_b from"), true);
  assert.deepEqual(text.includes("import * as $a_b_1 from"), true);
  assert.deepEqual(text.includes("import * as $a_b_2 from"), true);
});

/**
 * The layering check (scripts/check_layers.ts) on small trees of its own:
 * it passes a tree whose imports point down, and names each import that
 * points up, leaves lib/fresh, or closes a cycle between folders.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { checkLayers } from "../../scripts/check_layers.ts";

/** A temporary tree with a deno.json mapping `$fresh/` like the repository's. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "layers-" });
  files["deno.json"] = JSON.stringify({
    imports: { "$fresh/": "./lib/fresh/" },
  });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(dirname(join(root, path)), { recursive: true });
    await Deno.writeTextFile(join(root, path), text);
  }
  return root;
}

const CLEAN = {
  "main.ts": 'import "./routes/index.ts";\nimport "$fresh/server.ts";\n',
  "routes/index.ts": 'import "../lib/app/page.ts";\n',
  "lib/app/page.ts":
    'import type { X } from "../realtime/hub.ts";\nexport type Y = X;\n',
  "lib/realtime/hub.ts":
    'import "../access/check.ts";\nimport "$fresh/server.ts";\nexport type X = 1;\n',
  "lib/access/check.ts": 'import "../http/error.ts";\n',
  "lib/http/error.ts": 'import "$fresh/server.ts";\n',
  "lib/fresh/server.ts": 'import "./src/start.ts";\n',
  "lib/fresh/src/start.ts": "export {};\n",
};

async function violations(extra: Record<string, string>) {
  const root = await tree({ ...CLEAN, ...extra });
  try {
    return await checkLayers(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a tree whose imports point down passes", async () => {
  assert.deepEqual(await violations({}), []);
});

Deno.test("an upward import is named, with its file and the rule (type-only imports count)", async () => {
  const found = await violations({
    "lib/realtime/hub.ts":
      'import type { Y } from "../app/page.ts";\nexport type X = Y;\n',
  });
  assert.ok(
    found.some((v) =>
      v.from === "lib/realtime/hub.ts" && v.to === "lib/app/page.ts" &&
      /lib\/realtime may not import lib\/app/.test(v.rule)
    ),
    JSON.stringify(found),
  );
});

Deno.test("lib/fresh importing the app (through $fresh/ or a relative path) is refused", async () => {
  const found = await violations({
    "lib/fresh/src/start.ts": 'import "../../http/error.ts";\nexport {};\n',
  });
  assert.ok(
    found.some((v) =>
      v.from === "lib/fresh/src/start.ts" && v.to === "lib/http/error.ts"
    ),
    JSON.stringify(found),
  );
});

Deno.test("two folders of one layer importing each other are a cycle", async () => {
  const found = await violations({
    "lib/access/check.ts":
      'import "../http/error.ts";\nimport "../realtime/hub.ts";\n',
  });
  assert.ok(
    found.some((v) => /folders import each other: .*lib\/access/.test(v.rule)),
    JSON.stringify(found),
  );
});

Deno.test("a folder that is in no layer is reported, not silently allowed", async () => {
  const found = await violations({
    "lib/app/page.ts": 'import "../gadgets/x.ts";\n',
    "lib/gadgets/x.ts": "export {};\n",
  });
  assert.ok(
    found.some((v) => /lib\/gadgets is in no layer/.test(v.rule)),
    JSON.stringify(found),
  );
});

Deno.test("the repository itself passes", async () => {
  const root = new URL("../../", import.meta.url).pathname;
  assert.deepEqual(await checkLayers(root), []);
});

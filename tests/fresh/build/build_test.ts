import assert from "node:assert/strict";
import { join } from "node:path";
import type { SnapshotMeta } from "../../../lib/fresh/src/build/snapshot_dir.ts";
import { copyFixture, runDeno, STYLED_ROUTE } from "./temp_app.ts";

Deno.test("build: `dev.ts build` writes _fresh/ with the bundles, snapshot.json and the tailwind CSS", async () => {
  await using app = await copyFixture();
  const { code, output } = await runDeno(app.root, "dev.ts", ["build"]);
  assert.equal(code, 0, output);

  const meta: SnapshotMeta = JSON.parse(await app.read("_fresh/snapshot.json"));
  const manifest = (await import(`file://${app.root}/fresh.gen.ts`)).default;
  assert.deepEqual(
    Object.keys(meta.islands).sort(),
    Object.keys(manifest.islands).sort(),
  );
  assert.ok(Object.keys(meta.islands).length >= 2);
  assert.equal(meta.runtimeEntry, "main.js");
  for (const file of Object.keys(meta.files)) {
    const bytes = await Deno.readFile(join(app.root, "_fresh", file));
    assert.ok(bytes.length > 0, `${file} is empty`);
  }
  for (const entry of Object.values(meta.islands)) {
    assert.ok(entry in meta.files, `${entry} not written`);
  }

  const css = await app.read("_fresh/static/styles.css");
  assert.ok(!css.includes('@import "tailwindcss"'));
  assert.ok(!css.includes("\n  "), "CSS not minified");
  // The classes of the styled page (STYLED_ROUTE) are in it.
  assert.match(css, /\.p-4\{/);
  assert.match(css, /\.text-red-600\{/);
});

Deno.test("build: `dev.ts manifest` only regenerates fresh.gen.ts", async () => {
  await using app = await copyFixture();
  await Deno.remove(join(app.root, "fresh.gen.ts"));
  await app.write("islands/Extra.tsx", "export default () => <p>extra</p>;\n");
  const { code, output } = await runDeno(app.root, "dev.ts", ["manifest"]);
  assert.equal(code, 0, output);
  const gen = await app.read("fresh.gen.ts");
  assert.ok(gen.includes('"./islands/Extra.tsx": $Extra,'));
  await assert.rejects(Deno.stat(join(app.root, "_fresh")));
});

Deno.test("build: a changed stylesheet or static file gets a new build id (asset() URLs are cached immutably)", async () => {
  await using app = await copyFixture();
  const build = async () => {
    const { code, output } = await runDeno(app.root, "dev.ts", ["build"]);
    assert.equal(code, 0, output);
    const meta: SnapshotMeta = JSON.parse(
      await app.read("_fresh/snapshot.json"),
    );
    return {
      id: meta.buildId,
      css: await app.read("_fresh/static/styles.css"),
    };
  };
  const first = await build();
  assert.equal((await build()).id, first.id, "same sources, same id");

  // Only a page's classes change: no island, so the bundles are the same.
  await app.write(
    STYLED_ROUTE.path,
    STYLED_ROUTE.text.replace("text-red-600", "text-blue-700"),
  );
  const restyled = await build();
  assert.match(restyled.css, /\.text-blue-700\{/);
  assert.notEqual(restyled.id, first.id, "new CSS under the old id");

  await app.write("static/hello.txt", "hello, changed\n");
  assert.notEqual((await build()).id, restyled.id, "new file under the old id");
});

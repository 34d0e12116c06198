import assert from "node:assert/strict";
import { resolveConfig } from "../../../lib/fresh/src/build/config.ts";
import { writeManifest } from "../../../lib/fresh/src/build/manifest.ts";
import {
  buildSnapshot,
  loadBuildSnapshot,
} from "../../../lib/fresh/src/build/snapshot.ts";
import { writeSnapshotDir } from "../../../lib/fresh/src/build/snapshot_dir.ts";
import type { Manifest } from "../../../lib/fresh/src/types.ts";
import { tempApp } from "./temp_app.ts";

const ISLANDS = {
  "islands/Counter.tsx": `
import { useState } from "preact/hooks";
import { useSignal } from "@preact/signals";
import { label } from "../components/label.ts";
export default function Counter() {
  const [distinctiveCounterState, setIt] = useState(0);
  const sig = useSignal(1);
  return <button onClick={() => setIt(distinctiveCounterState + sig.value)}>{label(distinctiveCounterState)}</button>;
}
`,
  "islands/chat/Feed.tsx": `
import { computed, signal } from "@preact/signals";
import { label } from "../../components/label.ts";
const items = signal<string[]>([]);
const count = computed(() => items.value.length);
export default function Feed() { return <p>{label(count.value)}</p>; }
export function FeedTitle() { return <h2>feed</h2>; }
`,
  "components/label.ts": `export const label = (n: number) => "count: " + n;\n`,
  "routes/index.tsx": `export default () => <p>home</p>;\n`,
};

async function appManifest(root: string): Promise<Manifest> {
  const { path } = await writeManifest(root);
  return (await import(`file://${path}`)).default;
}

/** Bundles the app's islands now, as dev or production would. */
const bundleOf = (manifest: Manifest, dev: boolean) =>
  buildSnapshot(manifest, resolveConfig(manifest.baseUrl, {}, { dev }));

const text = (bytes: Uint8Array | null) => new TextDecoder().decode(bytes!);

Deno.test("bundle: one entry per island plus the runtime, shared code in chunks", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const snap = await bundleOf(manifest, false);
  assert.equal(snap.islandEntry("./islands/Counter.tsx"), "island-counter.js");
  assert.equal(
    snap.islandEntry("./islands/chat/Feed.tsx"),
    "island-chat_feed.js",
  );
  assert.equal(snap.runtimeEntry, "main.js");
  const names = [...snap.files.keys()];
  const entries = names.filter((n) => !n.startsWith("chunk-")).sort();
  assert.deepEqual(entries, [
    "island-chat_feed.js",
    "island-counter.js",
    "main.js",
  ]);
  // The code both islands use (preact, signals, the label helper) is in
  // chunks that both import, not in each island's file.
  const counterDeps = snap.dependencies("island-counter.js");
  const feedDeps = snap.dependencies("island-chat_feed.js");
  const shared = counterDeps.filter((d) => feedDeps.includes(d));
  assert.ok(shared.length > 0, "no shared chunk");
  assert.ok(shared.every((d) => /^chunk-[A-Z0-9]+\.js$/.test(d)));
  for (const dep of [...counterDeps, ...feedDeps]) {
    assert.ok(await snap.read(dep), `${dep} is listed but not readable`);
  }
  const sharedText = (await Promise.all(shared.map((d) => snap.read(d))))
    .map(text).join("");
  assert.ok(sharedText.includes("count: "));
  // Named exports of an island are kept (Fresh hydrates them too).
  assert.match(text(await snap.read("island-chat_feed.js")), /export\s*\{/);
  assert.equal(await snap.read("../deno.json"), null);
  assert.equal(await snap.read("nope.js"), null);
});

Deno.test("bundle: exactly one copy of preact and of @preact/signals-core", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const snap = await bundleOf(manifest, true);
  const core = snap.inputs.filter((p) =>
    /\/preact\/dist\/preact\.[^/]+$/.test(p)
  );
  const hooks = snap.inputs.filter((p) => /\/preact\/hooks\/dist\//.test(p));
  const signalsCore = snap.inputs.filter((p) =>
    /\/@preact\/signals-core\/dist\//.test(p)
  );
  assert.equal(core.length, 1, core.join("\n"));
  assert.equal(hooks.length, 1, hooks.join("\n"));
  assert.equal(signalsCore.length, 1, signalsCore.join("\n"));
});

Deno.test("bundle: minified for production, readable with source maps in dev", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const prod = await bundleOf(manifest, false);
  const dev = await bundleOf(manifest, true);
  const prodIsland = text(await prod.read("island-counter.js"));
  const devIsland = text(await dev.read("island-counter.js"));
  assert.ok(!prodIsland.includes("distinctiveCounterState"));
  assert.ok(devIsland.includes("distinctiveCounterState"));
  assert.ok(await dev.read("island-counter.js.map"));
  assert.equal(await prod.read("island-counter.js.map"), null);
  assert.notEqual(prod.buildId, dev.buildId);
  assert.match(prod.buildId, /^[0-9a-f]{20}$/);
});

Deno.test("bundle: build id is DENO_DEPLOYMENT_ID when set, else stable for the same output", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const config = resolveConfig(manifest.baseUrl, {}, { dev: false });
  const a = await buildSnapshot(manifest, config);
  const b = await buildSnapshot(manifest, config);
  assert.equal(a.buildId, b.buildId);
  Deno.env.set("DENO_DEPLOYMENT_ID", "deploy42");
  try {
    assert.equal((await buildSnapshot(manifest, config)).buildId, "deploy42");
  } finally {
    Deno.env.delete("DENO_DEPLOYMENT_ID");
  }
});

Deno.test("snapshot: production serves _fresh/ when it covers the islands; dev and stale builds bundle in memory", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const prod = resolveConfig(manifest.baseUrl, {}, { dev: false });
  const built = await buildSnapshot(manifest, prod);
  const onDiskMeta = { ...built.meta, buildId: "from-disk" };
  await writeSnapshotDir(prod.build.outDir, onDiskMeta, built.files);

  const fromDisk = await loadBuildSnapshot(manifest, prod);
  assert.equal(fromDisk.buildId, "from-disk");
  assert.deepEqual(
    await fromDisk.read("island-counter.js"),
    built.files.get("island-counter.js"),
  );
  assert.equal(await fromDisk.read("../fresh.gen.ts"), null);
  assert.equal(await fromDisk.read("snapshot.json"), null);

  const inDev = await loadBuildSnapshot(
    manifest,
    resolveConfig(manifest.baseUrl, {}, { dev: true }),
  );
  assert.notEqual(inDev.buildId, "from-disk");

  // A new island that _fresh/ lacks: the build is out of date.
  const grown = {
    ...manifest,
    islands: { ...manifest.islands, "./islands/Counter2.tsx": {} },
  };
  await app.write("islands/Counter2.tsx", ISLANDS["islands/Counter.tsx"]);
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (msg: string) => warnings.push(msg);
  try {
    const rebuilt = await loadBuildSnapshot(grown, prod);
    assert.notEqual(rebuilt.buildId, "from-disk");
    assert.equal(
      rebuilt.islandEntry("./islands/Counter2.tsx"),
      "island-counter2.js",
    );
  } finally {
    console.warn = warn;
  }
  assert.match(warnings.join("\n"), /out of date/);
});

Deno.test("snapshot: an island (or a module it imports) edited after the build makes _fresh/ out of date", async () => {
  await using app = await tempApp(ISLANDS);
  const manifest = await appManifest(app.root);
  const prod = resolveConfig(manifest.baseUrl, {}, { dev: false });
  const built = await buildSnapshot(manifest, prod);
  await writeSnapshotDir(
    prod.build.outDir,
    { ...built.meta, buildId: "from-disk" },
    built.files,
  );
  assert.equal((await loadBuildSnapshot(manifest, prod)).buildId, "from-disk");

  // The shared component changes: the bundles on disk hold the old text.
  await app.write(
    "components/label.ts",
    `export const label = (n: number) => "clicks: " + n;\n`,
  );
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (msg: string) => warnings.push(msg);
  let served;
  try {
    served = await loadBuildSnapshot(manifest, prod);
  } finally {
    console.warn = warn;
  }
  assert.notEqual(served.buildId, "from-disk");
  const island = await served.read(
    served.islandEntry("./islands/Counter.tsx"),
  );
  const chunks = await Promise.all(
    served.dependencies(served.islandEntry("./islands/Counter.tsx"))
      .map((file) => served.read(file)),
  );
  assert.match([island, ...chunks].map(text).join("\n"), /clicks: /);
  assert.match(warnings.join("\n"), /out of date .*components\/label\.ts/);
});

/**
 * The browser bundles the server serves under `/_frsh/js/{buildId}/`: built in memory
 * (dev, or production without `_fresh/`) or read from `_fresh/`.
 *
 * @module
 */
import { join, relative } from "node:path";
import { bundle } from "./bundle.ts";
import { fromFileUrl } from "./paths.ts";
import { changedSources, hashSources } from "./source_hashes.ts";
import { listFiles } from "./walk.ts";
import type { BuildSnapshot, Manifest, ResolvedFreshConfig } from "../types.ts";
import {
  readSnapshotDir,
  snapshotLookups,
  type SnapshotMeta,
} from "./snapshot_dir.ts";

/** The hydration runtime's entry module (part of the server side). */
export const RUNTIME_MODULE = fromFileUrl(
  new URL("../runtime/client/main.ts", import.meta.url),
);
export const RUNTIME_ENTRY = "main.js";

/** `./islands/chat/LiveFeed.tsx` → `chat_livefeed` (lower case, `[a-z0-9_]`). */
export function islandName(key: string): string {
  return key.replace(/^\.\/islands\//, "").replace(/\.(ts|tsx|js|jsx)$/, "")
    .replace(/[^A-Za-z0-9]+/g, "_").toLowerCase();
}

/** Island manifest key → output file name, unique even when two names sanitize alike. */
export function islandEntries(manifest: Manifest): Record<string, string> {
  const entries: Record<string, string> = {};
  const taken = new Set<string>();
  for (const key of Object.keys(manifest.islands).sort()) {
    let name = `island-${islandName(key)}`;
    for (let n = 2; taken.has(name); n++) {
      name = `island-${islandName(key)}_${n}`;
    }
    taken.add(name);
    entries[key] = `${name}.js`;
  }
  return entries;
}

/** Hex SHA-256 of files (path and bytes, in path order), shortened. */
async function hashFiles(files: Map<string, Uint8Array>): Promise<string> {
  const parts: Uint8Array[] = [];
  const encoder = new TextEncoder();
  for (const path of [...files.keys()].sort()) {
    parts.push(encoder.encode(path + "\0"), files.get(path)!);
  }
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return [...digest.slice(0, 10)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/**
 * The build id: `DENO_DEPLOYMENT_ID`, else a hash of everything served
 * under it with immutable caching: the bundles AND the static files
 * (`{outDir}/static`, e.g. the built Tailwind CSS, and the static folder),
 * which `asset()` URLs name by this id. Derived from content, so processes
 * that bundle the same app agree on it.
 */
export async function buildIdOf(
  bundles: ReadonlyMap<string, Uint8Array>,
  config: ResolvedFreshConfig,
): Promise<string> {
  const deployment = Deno.env.get("DENO_DEPLOYMENT_ID");
  if (deployment) return deployment;
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of bundles) files.set(`js/${path}`, bytes);
  const folders = [join(config.build.outDir, "static"), config.staticDir];
  for (const [i, folder] of folders.entries()) {
    for (const file of await listFiles(folder)) {
      files.set(
        `static${i}/${relative(folder, file.path)}`,
        await Deno.readFile(file.path),
      );
    }
  }
  return await hashFiles(files);
}

/** A snapshot with its files in memory, plus what `build` writes to disk. */
export interface BuiltSnapshot extends BuildSnapshot {
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly meta: SnapshotMeta;
  /** The source modules bundled (absolute paths). */
  readonly inputs: readonly string[];
}

/** Bundles the manifest's islands and the runtime now (minified unless `config.dev`). */
export async function buildSnapshot(
  manifest: Manifest,
  config: ResolvedFreshConfig,
): Promise<BuiltSnapshot> {
  const islands = islandEntries(manifest);
  const entries: Record<string, string> = {
    [RUNTIME_ENTRY.replace(/\.js$/, "")]: RUNTIME_MODULE,
  };
  for (const [key, file] of Object.entries(islands)) {
    entries[file.replace(/\.js$/, "")] = fromFileUrl(
      new URL(key, manifest.baseUrl),
    );
  }
  const { files, dependencies, inputs } = await bundle({
    root: config.root,
    entries,
    dev: config.dev,
    target: config.build.target,
    outDir: config.build.outDir,
  });
  const meta: SnapshotMeta = {
    version: 1,
    buildId: await buildIdOf(files, config),
    runtimeEntry: RUNTIME_ENTRY,
    islands,
    files: Object.fromEntries(dependencies),
    sources: await hashSources(config.root, inputs),
  };
  return {
    ...snapshotLookups(meta),
    files,
    meta,
    inputs,
    read: (path) => Promise.resolve(files.get(path) ?? null),
  };
}

/**
 * The snapshot the server uses: built in memory in dev; `_fresh/` when it
 * exists, covers every island of the manifest and was built from the
 * current sources; else (out of date) built in memory, with a warning.
 */
export async function loadBuildSnapshot(
  manifest: Manifest,
  config: ResolvedFreshConfig,
): Promise<BuildSnapshot> {
  if (!config.dev) {
    const onDisk = await readSnapshotDir(config.build.outDir);
    if (onDisk) {
      const stale = await staleReason(manifest, config, onDisk.meta);
      if (!stale) return onDisk;
      console.warn(
        `${config.build.outDir} is out of date (${stale}); bundling in memory. Run \`deno task build\` again.`,
      );
    }
    // esbuild runs as a subprocess: a server started without --allow-run
    // (`deno task preview`) serves a build and cannot make one.
    if (Deno.permissions.querySync({ name: "run" }).state !== "granted") {
      throw new Error(
        `no up-to-date build in ${config.build.outDir} and no permission to run esbuild (--allow-run): run deno task build first`,
      );
    }
  }
  return await buildSnapshot(manifest, config);
}

/** Why a build on disk does not match the app, or null when it does. */
async function staleReason(
  manifest: Manifest,
  config: ResolvedFreshConfig,
  meta: SnapshotMeta,
): Promise<string | null> {
  const missing = Object.keys(manifest.islands).filter((key) =>
    !(key in meta.islands)
  );
  if (missing.length > 0) return `no bundle for ${missing.join(", ")}`;
  const changed = await changedSources(config.root, meta.sources ?? {});
  if (changed.length > 0) return `changed since: ${changed.join(", ")}`;
  return null;
}

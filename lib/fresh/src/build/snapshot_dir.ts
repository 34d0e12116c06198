/**
 * The on-disk form of a build snapshot: `{outDir}/snapshot.json` and the bundle files
 * beside it.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { BuildSnapshot } from "../types.ts";
import type { SourceHashes } from "./source_hashes.ts";

/** `{outDir}/snapshot.json`. */
export interface SnapshotMeta {
  version: 1;
  buildId: string;
  runtimeEntry: string;
  /** Island manifest key → its entry file. */
  islands: Record<string, string>;
  /** Every bundle file → the files it imports statically. */
  files: Record<string, string[]>;
  /** The app's source modules in the bundles → their hashes (absent in older builds). */
  sources?: SourceHashes;
}

export const SNAPSHOT_FILE = "snapshot.json";

/** The lookups of a snapshot, shared by the in-memory and the on-disk one. */
export function snapshotLookups(
  meta: SnapshotMeta,
): Omit<BuildSnapshot, "read"> {
  return {
    buildId: meta.buildId,
    runtimeEntry: meta.runtimeEntry,
    islandEntry(key) {
      const file = meta.islands[key];
      if (!file) throw new Error(`no bundle for island ${key}`);
      return file;
    },
    dependencies: (path) => meta.files[path] ?? [],
  };
}

/** Writes the bundle files and snapshot.json into `outDir` (created when missing). */
export async function writeSnapshotDir(
  outDir: string,
  meta: SnapshotMeta,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<void> {
  for (const [path, bytes] of files) {
    await Deno.mkdir(dirname(join(outDir, path)), { recursive: true });
    await Deno.writeFile(join(outDir, path), bytes);
  }
  await Deno.writeTextFile(
    join(outDir, SNAPSHOT_FILE),
    JSON.stringify(meta, null, 2) + "\n",
  );
}

/** The snapshot in `outDir`, or null when there is none (no build yet). */
export async function readSnapshotDir(
  outDir: string,
): Promise<(BuildSnapshot & { meta: SnapshotMeta }) | null> {
  let meta: SnapshotMeta;
  try {
    meta = JSON.parse(await Deno.readTextFile(join(outDir, SNAPSHOT_FILE)));
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return null;
    throw err;
  }
  return {
    ...snapshotLookups(meta),
    meta,
    // Only files the build listed: a request path never reaches other files.
    read: async (path) => {
      if (!Object.hasOwn(meta.files, path)) return null;
      try {
        return await Deno.readFile(join(outDir, path));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound) return null;
        throw err;
      }
    },
  };
}

/**
 * What a build was made from: a content hash per app source in the bundles, so a
 * server notices that `_fresh/` no longer matches the sources.
 *
 * @module
 */
import { isAbsolute, join, relative, sep } from "node:path";

/** Path relative to the project root (with `/`) → short hex SHA-256 of the file. */
export type SourceHashes = Record<string, string>;

async function hashFile(path: string): Promise<string | null> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch {
    return null; // gone (or unreadable): it changed
  }
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return [...digest.slice(0, 12)].map((b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** The app's own files among `inputs` (absolute paths), hashed. */
export async function hashSources(
  root: string,
  inputs: readonly string[],
): Promise<SourceHashes> {
  const hashes: SourceHashes = {};
  for (const input of [...inputs].sort()) {
    const path = relative(root, input);
    if (path.startsWith("..") || isAbsolute(path)) continue; // outside the app
    if (path.split(sep).includes("node_modules")) continue; // pinned packages
    const hash = await hashFile(input);
    if (hash) hashes[path.split(sep).join("/")] = hash;
  }
  return hashes;
}

/** The recorded sources that differ now (edited or removed). */
export async function changedSources(
  root: string,
  recorded: SourceHashes,
): Promise<string[]> {
  const changed: string[] = [];
  for (const [path, hash] of Object.entries(recorded)) {
    if (await hashFile(join(root, path)) !== hash) changed.push(path);
  }
  return changed;
}

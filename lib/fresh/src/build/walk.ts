/**
 * Lists the files under a folder, recursively, skipping dot files and folders except
 * `.well-known`.
 *
 * @module
 */
import { join } from "node:path";

/** The one dot folder that is listed: `routes/.well-known/…` serves `/.well-known/…`. */
const WELL_KNOWN = ".well-known";

export interface ListedFile {
  /** Absolute path. */
  path: string;
  name: string;
}

export async function listFiles(dir: string): Promise<ListedFile[]> {
  const found: ListedFile[] = [];
  const walk = async (folder: string) => {
    let entries: Deno.DirEntry[];
    try {
      entries = await Array.fromAsync(Deno.readDir(folder));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return;
      throw err;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".") && entry.name !== WELL_KNOWN) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile) found.push({ path, name: entry.name });
    }
  };
  await walk(dir);
  return found;
}

/**
 * Reads the `imports` of the nearest `deno.json` and applies them to a specifier the
 * way Deno does.
 *
 * @module
 */
import { dirname, join, resolve as resolvePath } from "node:path";
import { fromFileUrl } from "./paths.ts";

export interface ImportMap {
  /** The folder of the deno.json the map came from. */
  readonly dir: string;
  /** The mapped target (absolute path or `npm:` specifier), or null when unmapped. */
  resolve(specifier: string): string | null;
}

/** Walks up from `start` to the first folder holding a deno.json. */
async function findDenoJson(start: string): Promise<string | null> {
  for (let dir = start;; dir = dirname(dir)) {
    const candidate = join(dir, "deno.json");
    try {
      await Deno.stat(candidate);
      return candidate;
    } catch { /* keep walking */ }
    if (dirname(dir) === dir) return null;
  }
}

/** The import map that applies to files under `root`. */
export async function loadImportMap(root: string): Promise<ImportMap> {
  const file = await findDenoJson(root);
  const dir = file ? dirname(file) : root;
  const imports: Record<string, string> = file
    ? JSON.parse(await Deno.readTextFile(file)).imports ?? {}
    : {};
  // Longest key first, so "preact/" wins over a shorter prefix.
  const prefixes = Object.keys(imports).filter((k) => k.endsWith("/"))
    .sort((a, b) => b.length - a.length);
  const target = (value: string, rest = "") => {
    const joined = value + rest;
    if (joined.startsWith("file:")) return fromFileUrl(joined);
    if (/^[a-z]+:/.test(joined)) return joined; // npm:, jsr:, node:, https:
    return resolvePath(dir, joined);
  };
  return {
    dir,
    resolve(specifier) {
      if (specifier in imports) return target(imports[specifier]);
      const prefix = prefixes.find((p) => specifier.startsWith(p));
      return prefix
        ? target(imports[prefix], specifier.slice(prefix.length))
        : null;
    },
  };
}

/**
 * `npm:preact@10.29.8/hooks` or `npm:/preact@10.29.8/hooks` → `preact/hooks`:
 * the bare name a node_modules resolver understands.
 */
export function npmToBare(specifier: string): string {
  const rest = specifier.replace(/^npm:\/?/, "");
  const scoped = rest.startsWith("@");
  const parts = rest.split("/");
  const nameParts = parts.slice(0, scoped ? 2 : 1);
  const last = nameParts.length - 1;
  // Drop the version (after the last "@" that is not the scope's).
  const at = nameParts[last].lastIndexOf("@");
  if (at > 0) nameParts[last] = nameParts[last].slice(0, at);
  return [...nameParts, ...parts.slice(nameParts.length)].join("/");
}

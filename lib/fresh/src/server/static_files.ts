/**
 * Static files from one or more folders: content type, ETag and `304`, immutable
 * caching for `asset()` URLs, and no path that leads outside the folders.
 *
 * @module
 */
import { join, sep as SEPARATOR } from "node:path";
import { ASSET_CACHE_BUST_KEY } from "../runtime/asset.ts";
import { contentType } from "./content_type.ts";

export interface StaticFile {
  path: string;
  size: number;
  mtime: number;
}

const IMMUTABLE = "public, max-age=31536000, immutable";

export class StaticFiles {
  #etags = new Map<string, { mtime: number; size: number; etag: string }>();
  #roots: Promise<string[]>;
  /** Production only: "/a/b.css" (decoded) → file, built once. */
  #index: Promise<Map<string, StaticFile>> | null = null;

  constructor(dirs: string[], readonly dev = false) {
    this.#roots = Promise.all(
      dirs.map((dir) => Deno.realPath(dir).catch(() => "")),
    )
      .then((roots) => roots.filter(Boolean));
  }

  /** The file for a URL pathname (still percent-encoded), or null. */
  async find(pathname: string): Promise<StaticFile | null> {
    const segments = safeSegments(pathname);
    if (!segments || segments.length === 0) return null;
    if (!this.dev) {
      this.#index ??= this.#roots.then(indexFolders);
      return (await this.#index).get(segments.join("/")) ?? null;
    }
    for (const root of await this.#roots) {
      try {
        const path = await Deno.realPath(join(root, ...segments));
        if (!path.startsWith(root + SEPARATOR)) continue; // a symlink out
        const info = await Deno.stat(path);
        if (!info.isFile) continue;
        return { path, size: info.size, mtime: info.mtime?.getTime() ?? 0 };
      } catch {
        continue; // not in this folder
      }
    }
    return null;
  }

  /** The answer for a GET or HEAD of `file`. */
  async respond(req: Request, file: StaticFile): Promise<Response> {
    const url = new URL(req.url);
    const headers = new Headers({ "content-type": contentType(file.path) });
    if (url.searchParams.has(ASSET_CACHE_BUST_KEY)) {
      headers.set("cache-control", IMMUTABLE);
    } else if (this.dev) {
      headers.set("cache-control", "no-cache");
    }
    const body = await Deno.readFile(file.path);
    const etag = await this.#etag(file, body);
    headers.set("etag", etag);
    headers.set("vary", "Accept-Encoding");
    if (matchesEtag(req.headers.get("if-none-match"), etag)) {
      return new Response(null, { status: 304, headers });
    }
    headers.set("content-length", String(body.byteLength));
    return new Response(req.method === "HEAD" ? null : body, { headers });
  }

  async #etag(file: StaticFile, body: Uint8Array): Promise<string> {
    const known = this.#etags.get(file.path);
    if (known && known.mtime === file.mtime && known.size === file.size) {
      return known.etag;
    }
    const digest = await crypto.subtle.digest(
      "SHA-256",
      body as Uint8Array<ArrayBuffer>,
    );
    const hex = [...new Uint8Array(digest).slice(0, 16)]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const etag = `"${hex}"`;
    this.#etags.set(file.path, { mtime: file.mtime, size: file.size, etag });
    return etag;
  }
}

/** Every file under the folders, the first folder winning; links that lead outside are left out. */
async function indexFolders(roots: string[]): Promise<Map<string, StaticFile>> {
  const index = new Map<string, StaticFile>();
  const walk = async (root: string, dir: string, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const key = prefix + entry.name;
      try {
        const path = await Deno.realPath(join(dir, entry.name));
        if (!path.startsWith(root + SEPARATOR)) continue; // a symlink out
        const info = await Deno.stat(path);
        if (info.isDirectory) await walk(root, path, key + "/");
        else if (info.isFile && !index.has(key)) {
          index.set(key, {
            path,
            size: info.size,
            mtime: info.mtime?.getTime() ?? 0,
          });
        }
      } catch {
        continue; // vanished or unreadable: not served
      }
    }
  };
  for (const root of roots) await walk(root, root, "");
  return index;
}

/** Decoded path segments, or null when the path tries to leave the folder. */
export function safeSegments(pathname: string): string[] | null {
  const out: string[] = [];
  for (const raw of pathname.split("/")) {
    if (raw === "") continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (
      segment === "." || segment === ".." || /[\/\\\0]/.test(segment) ||
      segment.includes(":") && SEPARATOR === "\\"
    ) return null;
    out.push(segment);
  }
  return out;
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((tag) =>
    tag.trim().replace(/^W\//, "") === etag
  );
}

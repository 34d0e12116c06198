/**
 * File URL ↔ path helpers for the build side (node:url, so no jsr: std).
 *
 * @module
 */
import { fileURLToPath, pathToFileURL } from "node:url";

/** `file:///a/b.ts` → `/a/b.ts`; a plain path is returned as it is. */
export function fromFileUrl(url: string | URL): string {
  const text = String(url);
  return text.startsWith("file:") ? fileURLToPath(text) : text;
}

/** `/a/b.ts` → `file:///a/b.ts`. */
export function toFileUrl(path: string): string {
  return pathToFileURL(path).href;
}

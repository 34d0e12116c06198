/**
 * Cache busting for static files: `asset("/logo.svg")` → `/logo.svg?__frsh_c={buildId}`,
 * answered with immutable caching.
 *
 * @module
 */

/** True in the browser, false on the server. */
export const IS_BROWSER = typeof document !== "undefined";

/** The query parameter that marks a cache-busted asset URL. */
export const ASSET_CACHE_BUST_KEY = "__frsh_c";

let buildId = "";

/** Sets the build id that {@link asset} appends (one app per process). */
export function setBuildId(id: string): void {
  buildId = id;
}

/** The build id that {@link asset} appends. */
export function getBuildId(): string {
  return buildId;
}

/** `path` with the build id appended, for an absolute same-origin path. */
export function asset(path: string): string {
  if (!buildId || !path.startsWith("/") || path.startsWith("//")) return path;
  try {
    const base = "http://asset.invalid";
    const url = new URL(path, base);
    if (url.origin !== base || url.searchParams.has(ASSET_CACHE_BUST_KEY)) {
      return path;
    }
    url.searchParams.set(ASSET_CACHE_BUST_KEY, buildId);
    return url.pathname + url.search + url.hash;
  } catch {
    return path;
  }
}

/** Each URL of a `srcset` passed through {@link asset}. */
export function assetSrcSet(srcset: string): string {
  if (srcset.includes("(")) return srcset; // image-set() and friends: leave
  return srcset.split(",").map((part) => {
    const [url, ...descriptor] = part.trim().split(/\s+/);
    return [asset(url), ...descriptor].join(" ");
  }).join(", ");
}

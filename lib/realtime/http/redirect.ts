/**
 * Where an HTML form post goes back to (303): the form's `redirect` field when
 * it is a path on this site, else the `Referer` when it is a page of this
 * host, else `/`. Never an address on another site (no open redirect).
 *
 * The answer is always a path. A candidate is resolved against the request
 * first, so dot segments are gone (`/.//evil.example` would otherwise resolve
 * to `//evil.example`, which a browser reads as another host), and a result
 * that still starts with two slashes is refused. The Referer is compared by
 * host, not origin: behind a TLS-terminating proxy Herald sees `http:` while
 * the browser's Referer says `https:`.
 *
 * @example
 * ```ts
 * redirectTarget(req, "/rooms/1"); // "/rooms/1"
 * redirectTarget(req, "https://evil.example/"); // the Referer's path, or "/"
 * ```
 * @module
 */

/** `candidate` as a path of `base`'s host, or null when it leads elsewhere. */
function pathOnHost(candidate: string, base: URL): string | null {
  let url: URL;
  try {
    url = new URL(candidate, base);
  } catch {
    return null;
  }
  if (url.host !== base.host || !/^https?:$/.test(url.protocol)) return null;
  const path = url.pathname + url.search + url.hash;
  // "//host" and "/\host" are network paths to a browser.
  return /^\/(?![\\/])/.test(path) ? path : null;
}

export function redirectTarget(req: Request, field?: string): string {
  const base = new URL(req.url);
  // Only a path; a full URL, even of this site, is not asked for.
  if (field?.startsWith("/") && !/^\/[\\/]/.test(field)) {
    const path = pathOnHost(field, base);
    if (path) return path;
  }
  const referer = req.headers.get("referer");
  if (referer && /^https?:\/\//i.test(referer)) {
    const path = pathOnHost(referer, base);
    if (path) return path;
  }
  return "/";
}

/**
 * Where an HTML form post goes back to (303): always a path on this site, never another
 * host (no open redirect).
 *
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

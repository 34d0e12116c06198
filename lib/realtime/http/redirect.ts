/**
 * Where an HTML form post goes back to (303): the form's `redirect` field when
 * it is a same-origin path, else a same-origin `Referer`, else `/`. Never an
 * address on another origin (no open redirect).
 *
 * @example
 * ```ts
 * redirectTarget(req, "/rooms/1"); // "/rooms/1"
 * redirectTarget(req, "https://evil.example/"); // the Referer's path, or "/"
 * ```
 * @module
 */

function sameOriginPath(candidate: string, base: URL): string | null {
  try {
    const url = new URL(candidate, base);
    if (url.origin !== base.origin) return null;
    return url.pathname + url.search + url.hash;
  } catch {
    return null;
  }
}

export function redirectTarget(req: Request, field?: string): string {
  const base = new URL(req.url);
  // Only a path: "//host" and "/\host" are read as other hosts by browsers.
  if (field && field.startsWith("/") && !/^\/[\\/]/.test(field)) {
    const path = sameOriginPath(field, base);
    if (path) return path;
  }
  const referer = req.headers.get("referer");
  if (referer && /^https?:\/\//i.test(referer)) {
    const path = sameOriginPath(referer, base);
    if (path) return path;
  }
  return "/";
}

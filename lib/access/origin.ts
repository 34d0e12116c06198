/**
 * Cross-site request checks for cookie-authenticated writes (CSRF).
 *
 * A browser sends `Sec-Fetch-Site` on every request; older ones at least send
 * `Origin` on POST. A request with neither comes from a non-browser client,
 * which cannot be tricked into sending someone else's cookies.
 *
 * @example
 * ```ts
 * if (isUnsafeMethod(req.method) && carriesHeraldCookie(req) && isCrossSite(req)) {
 *   throw new HttpError(403, "cross_site", "cross-site request with cookies refused");
 * }
 * ```
 * @module
 */
import { HttpError } from "../http/error.ts";
import { parseCookies } from "./cookies.ts";
import { SESSION_COOKIE } from "./session.ts";
import { TOKEN_COOKIE } from "./token.ts";

/** Methods that may change state. */
export function isUnsafeMethod(method: string): boolean {
  return !["GET", "HEAD", "OPTIONS"].includes(method.toUpperCase());
}

/** True when the request was not made by a page of this same origin. */
export function isCrossSite(req: Request): boolean {
  const site = req.headers.get("sec-fetch-site");
  if (site) return site !== "same-origin" && site !== "none";
  const origin = req.headers.get("origin");
  if (!origin) return false;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return true; // "null" (sandboxed or privacy-sensitive contexts) or garbage
  }
  // Behind a proxy req.url may carry an internal host; the Host header is what the browser used.
  return host !== new URL(req.url).host && host !== req.headers.get("host");
}

/** True when the request carries a Herald cookie (session or token). */
export function carriesHeraldCookie(req: Request): boolean {
  const cookies = parseCookies(req.headers);
  return cookies.has(SESSION_COOKIE) || cookies.has(TOKEN_COOKIE);
}

/** Throws 403 for a cross-site, state-changing request that carries Herald cookies. */
export function assertNotCrossSiteWrite(req: Request): void {
  if (
    isUnsafeMethod(req.method) && carriesHeraldCookie(req) && isCrossSite(req)
  ) {
    throw new HttpError(
      403,
      "cross_site_request",
      "cross-site request with cookies refused; send a bearer token instead",
    );
  }
}

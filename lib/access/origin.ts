/**
 * Cross-site request checks for state-changing requests (CSRF); the rule and its one
 * exception are in lib/access/README.md (The app's session).
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import { parseCookies } from "./cookies.ts";
import type { Cors } from "./cors.ts";
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

/** True for an API call from an origin that the CORS settings allow. */
function isAllowedApiCall(req: Request, cors: Cors | undefined): boolean {
  return cors !== undefined &&
    new URL(req.url).pathname.startsWith("/api/") &&
    cors.allowOrigin(req.headers.get("origin")) !== null;
}

/** Throws 403 for a state-changing request from another site's page (lib/access/README.md, The app's session). */
export function assertNotCrossSiteWrite(req: Request, cors?: Cors): void {
  if (!isUnsafeMethod(req.method) || !isCrossSite(req)) return;
  if (!carriesHeraldCookie(req) && isAllowedApiCall(req, cors)) return;
  throw new HttpError(
    403,
    "cross_site_request",
    "cross-site request refused; other sites call the API from an origin in HERALD_CORS_ORIGINS, with a bearer token and without cookies",
  );
}

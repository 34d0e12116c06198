/**
 * Root middleware: the visitor's session in `ctx.state.session`, cross-site writes
 * refused, and the security and cache headers of every answer (lib/access/README.md,
 * Other hardening).
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import { errorResponse } from "../lib/http/error.ts";
import type { Access, Session } from "../lib/access/mod.ts";
import { withHeaders } from "../lib/access/cors.ts";
import { assertNotCrossSiteWrite } from "../lib/access/origin.ts";
import {
  newSession,
  readSession,
  sessionCookie,
} from "../lib/access/session.ts";

/** What this middleware puts in `ctx.state`. */
export interface SessionState {
  session: Session;
}

const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

function isHttps(req: Request, access: Access): boolean {
  if (new URL(req.url).protocol === "https:") return true;
  return access.config.trustProxy > 0 &&
    req.headers.get("x-forwarded-proto") === "https";
}

export async function handler(
  req: Request,
  ctx: FreshContext<{ access: Access } & Partial<SessionState>>,
): Promise<Response> {
  const { access } = ctx.state;
  try {
    assertNotCrossSiteWrite(req, access.cors);
  } catch (err) {
    return withHeaders(errorResponse(err), SECURITY_HEADERS);
  }
  if (ctx.destination === "static" || ctx.destination === "internal") {
    return withHeaders(await ctx.next(), SECURITY_HEADERS);
  }
  const key = await access.sessionKey();
  const existing = await readSession(req, key);
  const session = existing ?? newSession();
  ctx.state.session = session;
  const res = await ctx.next();
  const headers = res.headers.has("cache-control")
    ? SECURITY_HEADERS
    : { ...SECURITY_HEADERS, "cache-control": "private, no-cache" };
  const isPage = res.headers.get("content-type")?.startsWith("text/html");
  if (existing || !isPage) return withHeaders(res, headers);
  const cookie = await sessionCookie(session, key, {
    secure: isHttps(req, access),
  });
  return withHeaders(res, headers, { "set-cookie": cookie });
}

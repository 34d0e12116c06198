/**
 * Cross-origin access to the API (`routes/api/_middleware.ts`); the rules are in
 * lib/access/README.md (CORS).
 *
 * @module
 */
import { errorResponse, HttpError } from "../http/error.ts";

export const ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS";
export const ALLOWED_HEADERS =
  "Authorization, Content-Type, Last-Event-ID, Idempotency-Key";
export const EXPOSED_HEADERS = "Retry-After, Location, Idempotent-Replayed";
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** The `Access-Control-Allow-Origin` value for `origin`, or null when not allowed. */
  allowOrigin(origin: string | null): string | null;
  /** Answers a preflight, or adds CORS headers to what `next` answers. */
  handle(req: Request, next: () => Promise<Response>): Promise<Response>;
}

/** Sets headers on a response, copying it first when its headers are immutable (e.g. `Response.redirect`). */
export function withHeaders(
  res: Response,
  headers: Record<string, string>,
  append: Record<string, string> = {},
): Response {
  const apply = (target: Headers) => {
    for (const [name, value] of Object.entries(headers)) {
      target.set(name, value);
    }
    for (const [name, value] of Object.entries(append)) {
      const existing = target.get(name);
      const present = existing?.split(",").map((v) => v.trim().toLowerCase())
        .includes(value.toLowerCase());
      if (!present) target.append(name, value);
    }
  };
  try {
    apply(res.headers);
    return res;
  } catch {
    const copy = new Response(res.body, res);
    apply(copy.headers);
    return copy;
  }
}

function isPreflight(req: Request): boolean {
  return req.method === "OPTIONS" &&
    req.headers.has("access-control-request-method");
}

/**
 * An origin as a browser sends it (lower-case host, no default port, no
 * path), so `https://App.example:443/` in the setting still matches.
 */
function serializedOrigin(setting: string): string {
  try {
    const origin = new URL(setting).origin;
    if (origin !== "null") return origin;
  } catch {
    // Not a URL: kept as written (it then matches only itself).
  }
  return setting.replace(/\/+$/, "");
}

/** CORS for the configured origins. */
export function createCors(origins: readonly string[]): Cors {
  const any = origins.includes("*");
  const listed = new Set(
    origins.filter((o) => o !== "*").map(serializedOrigin),
  );

  const allowOrigin = (origin: string | null): string | null => {
    if (origin === null) return null;
    if (listed.has(origin)) return origin;
    return any ? "*" : null;
  };

  return {
    allowOrigin,
    async handle(req, next) {
      const origin = req.headers.get("origin");
      const allowed = allowOrigin(origin);
      if (isPreflight(req)) {
        if (allowed === null) {
          return withHeaders(
            errorResponse(
              new HttpError(
                403,
                "origin_not_allowed",
                "this origin may not call the API (see HERALD_CORS_ORIGINS)",
              ),
            ),
            {},
            { vary: "Origin" },
          );
        }
        return new Response(null, {
          status: 204,
          headers: {
            "access-control-allow-origin": allowed,
            "access-control-allow-methods": ALLOWED_METHODS,
            "access-control-allow-headers": ALLOWED_HEADERS,
            "access-control-max-age": String(PREFLIGHT_MAX_AGE_SECONDS),
            vary: "Origin",
          },
        });
      }
      const res = await next();
      if (allowed === null) return withHeaders(res, {}, { vary: "Origin" });
      return withHeaders(res, {
        "access-control-allow-origin": allowed,
        "access-control-expose-headers": EXPOSED_HEADERS,
      }, { vary: "Origin" });
    },
  };
}

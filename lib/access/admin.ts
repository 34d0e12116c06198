/**
 * The admin check: `Authorization: Bearer <HERALD_ADMIN_TOKEN>` (or the admin's
 * sign-in cookie), compared in constant time.
 *
 * @module
 */

import { parseCookies } from "./cookies.ts";

const encoder = new TextEncoder();

/** The admin's sign-in cookie (see {@link adminCookie}). */
export const ADMIN_COOKIE = "herald_admin";

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(
    await crypto.subtle.digest("SHA-256", encoder.encode(text)),
  );
}

/** Equal byte arrays, in time that depends only on their length. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

/** The bearer value of `req`, or null for no or another scheme. */
function bearer(req: Request): string | null {
  const auth = req.headers.get("authorization");
  const match = auth ? /^Bearer[ ]+(\S{1,8192})\s*$/i.exec(auth) : null;
  return match ? match[1] : null;
}

/** The cookie value for `secret`: a hash, so the cookie never carries the token. */
async function cookieValue(secret: string): Promise<string> {
  const bytes = await sha256(`herald-admin-cookie:${secret}`);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A check for the admin token `secret`; with none configured, nobody is the admin. */
export function adminCheck(
  secret: string | null,
): (req: Request) => Promise<boolean> {
  if (!secret) return () => Promise.resolve(false);
  const expected = sha256(secret);
  const expectedCookie = cookieValue(secret).then(sha256);
  return async (req) => {
    const shown = bearer(req);
    if (shown !== null) {
      return sameBytes(await sha256(shown), await expected);
    }
    const cookie = parseCookies(req.headers).get(ADMIN_COOKIE);
    if (cookie === undefined || cookie.length > 256) return false;
    return sameBytes(await sha256(cookie), await expectedCookie);
  };
}

/**
 * The `Set-Cookie` value that signs the admin in when `shown` is the token
 * (null otherwise): HttpOnly, SameSite=Strict, path `/`, 12 hours.
 */
export async function adminCookie(
  secret: string | null,
  shown: string,
  { secure = false }: { secure?: boolean } = {},
): Promise<string | null> {
  if (!secret || shown.length > 8192) return null;
  if (!sameBytes(await sha256(shown), await sha256(secret))) return null;
  return `${ADMIN_COOKIE}=${await cookieValue(secret)}; Path=/; HttpOnly; ` +
    `SameSite=Strict; Max-Age=43200${secure ? "; Secure" : ""}`;
}

/** The `Set-Cookie` value that signs the admin out. */
export function adminSignOutCookie(): string {
  return `${ADMIN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

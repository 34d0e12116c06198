/**
 * The admin check: `Authorization: Bearer <HERALD_ADMIN_TOKEN>`, compared in
 * constant time (both sides hashed first, so neither the length nor a common
 * prefix shows in the timing).
 *
 * @example
 * ```ts
 * const isAdmin = adminCheck(config.adminToken);
 * if (await isAdmin(req)) report.detail = health.detail;
 * ```
 * @module
 */

const encoder = new TextEncoder();

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

/** A check for the admin token `secret`; with none configured, nobody is the admin. */
export function adminCheck(
  secret: string | null,
): (req: Request) => Promise<boolean> {
  if (!secret) return () => Promise.resolve(false);
  const expected = sha256(secret);
  return async (req) => {
    const shown = bearer(req);
    if (shown === null) return false;
    return sameBytes(await sha256(shown), await expected);
  };
}

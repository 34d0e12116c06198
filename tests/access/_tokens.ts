/**
 * Test tokens: real JWTs signed with jose, plus the hostile kinds
 * (`alg: none`, forged signature) written by hand.
 *
 * @module
 */
import { SignJWT } from "jose";

export const SECRET = "test-secret-that-is-long-enough-for-hs256";

export interface TokenOptions {
  secret?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
}

/** An HS256 token with `claims`. */
export function hsToken(
  claims: Record<string, unknown>,
  opts: TokenOptions = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now - 120)
    .setExpirationTime(now + (opts.expiresIn ?? 3600))
    .sign(new TextEncoder().encode(opts.secret ?? SECRET));
}

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

/** An unsigned token (`alg: none`) claiming whatever it likes. */
export function noneToken(claims: Record<string, unknown>): string {
  return `${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${
    b64url(
      JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }),
    )
  }.`;
}

/** A real token's header and signature with a different payload. */
export async function forgedToken(
  claims: Record<string, unknown>,
): Promise<string> {
  const [header, , signature] = (await hsToken({ sub: "someone" })).split(".");
  return `${header}.${
    b64url(
      JSON.stringify({ ...claims, exp: Math.floor(Date.now() / 1000) + 3600 }),
    )
  }.${signature}`;
}

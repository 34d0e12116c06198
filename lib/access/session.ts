/**
 * The app's anonymous session: a signed, HttpOnly, SameSite=Lax `herald_session`
 * cookie with an anonymous id and a display name (lib/access/README.md).
 *
 * @module
 */
import { parseCookies } from "./cookies.ts";

/** The cookie's name. */
export const SESSION_COOKIE = "herald_session";

/** How long a session lives: one year, then the browser starts a new one. */
export const SESSION_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** An anonymous visitor of the app's pages; `ctx.state.session`. */
export interface Session {
  /** Anonymous user id, e.g. `anon-3f9a0c…`; its own channel is `user:{id}`. */
  id: string;
  /** Display name, e.g. "Swift Otter 42". */
  name: string;
}

const ADJECTIVES = [
  "Swift",
  "Quiet",
  "Bright",
  "Calm",
  "Brave",
  "Clever",
  "Gentle",
  "Lucky",
  "Merry",
  "Nimble",
  "Sunny",
  "Witty",
];
const ANIMALS = [
  "Otter",
  "Falcon",
  "Badger",
  "Heron",
  "Lynx",
  "Marten",
  "Panda",
  "Puffin",
  "Raven",
  "Seal",
  "Tiger",
  "Wren",
];

const encoder = new TextEncoder();

function randomInt(below: number): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] % below;
}

const HEX = Array.from(
  { length: 256 },
  (_, b) => b.toString(16).padStart(2, "0"),
);

// A table and a loop: every API request without a cookie makes a session id,
// and `Array.from(…, map).join` showed in the publish path's profile.
function toHex(bytes: Uint8Array): string {
  let hex = "";
  for (const b of bytes) hex += HEX[b];
  return hex;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(
    /=+$/,
    "",
  );
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** A new anonymous session with a random id and a friendly name. */
export function newSession(): Session {
  const id = "anon-" + toHex(crypto.getRandomValues(new Uint8Array(10)));
  const name = `${ADJECTIVES[randomInt(ADJECTIVES.length)]} ${
    ANIMALS[randomInt(ANIMALS.length)]
  } ${10 + randomInt(90)}`;
  return { id, name };
}

/** An HMAC-SHA256 key for session cookies, derived from `secret` (domain-separated from JWTs). */
export async function deriveSessionKey(secret: string): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const derived = await crypto.subtle.sign(
    "HMAC",
    base,
    encoder.encode("herald-session-v1"),
  );
  return crypto.subtle.importKey(
    "raw",
    derived,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

/** 32 random bytes as hex: a session secret when none is configured. */
export function randomSecret(): Promise<string> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Promise.resolve(
    [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(""),
  );
}

/**
 * The key from `HERALD_SESSION_SECRET`, else derived from `HERALD_JWT_SECRET`,
 * else from `generated()`: the app passes a secret kept in its store, so every
 * process and every restart of one deployment accepts the same cookies.
 */
export async function sessionKeyFor(
  config: { sessionSecret: string | null; jwtSecret: string | null },
  generated: () => Promise<string> = randomSecret,
): Promise<CryptoKey> {
  return await deriveSessionKey(
    config.sessionSecret ?? config.jwtSecret ?? await generated(),
  );
}

/** The signed cookie value for `session`. */
export async function signSession(
  session: Session,
  key: CryptoKey,
  now = Date.now(),
): Promise<string> {
  const payload = base64url(
    encoder.encode(
      JSON.stringify({
        i: session.id,
        n: session.name,
        t: Math.floor(now / 1000),
      }),
    ),
  );
  const body = `v1.${payload}`;
  const sig = await crypto.subtle.sign("HMAC", key, encoder.encode(body));
  return `${body}.${base64url(new Uint8Array(sig))}`;
}

/** The session in a cookie value, or null when it is malformed, tampered with or too old. */
export async function verifySession(
  value: string,
  key: CryptoKey,
  now = Date.now(),
): Promise<Session | null> {
  // Bounded: a real cookie is ~150 bytes; refuse to HMAC arbitrary blobs.
  if (value.length > 1024) return null;
  const parts = value.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") return null;
  const sig = fromBase64url(parts[2]);
  if (!sig) return null;
  const ok = await crypto.subtle.verify(
    "HMAC",
    key,
    sig,
    encoder.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!ok) return null;
  const raw = fromBase64url(parts[1]);
  if (!raw) return null;
  try {
    const { i, n, t } = JSON.parse(new TextDecoder().decode(raw));
    if (typeof i !== "string" || typeof n !== "string") return null;
    if (typeof t !== "number" || now / 1000 - t > SESSION_MAX_AGE_SECONDS) {
      return null;
    }
    return { id: i, name: n };
  } catch {
    return null;
  }
}

/** The verified session of a request's `herald_session` cookie, or null. */
/** True when the request carries a session cookie (valid or not). */
export function hasSessionCookie(req: Request): boolean {
  return parseCookies(req.headers).has(SESSION_COOKIE);
}

export function readSession(
  req: Request,
  key: CryptoKey,
): Promise<Session | null> {
  const value = parseCookies(req.headers).get(SESSION_COOKIE);
  return value ? verifySession(value, key) : Promise.resolve(null);
}

/** A `Set-Cookie` header value that stores `session`. */
export async function sessionCookie(
  session: Session,
  key: CryptoKey,
  opts: { secure: boolean },
): Promise<string> {
  const value = await signSession(session, key);
  return [
    `${SESSION_COOKIE}=${value}`,
    "Path=/",
    `Max-Age=${SESSION_MAX_AGE_SECONDS}`,
    "HttpOnly",
    "SameSite=Lax",
    ...(opts.secure ? ["Secure"] : []),
  ].join("; ");
}

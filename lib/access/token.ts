/**
 * Bearer tokens: JWTs verified with `jose` (HS256, RS256, ES256; any other `alg`
 * refused before the signature), read from the header, cookie or query.
 *
 * @module
 */
import {
  decodeProtectedHeader,
  importSPKI,
  type JWTPayload,
  jwtVerify,
  type JWTVerifyOptions,
} from "jose";
import { HttpError } from "../http/error.ts";
import { parseCookies } from "./cookies.ts";

/** The cookie a page may use to carry a token. */
export const TOKEN_COOKIE = "herald_token";

/** Longer than any sane JWT; refuse before parsing. */
export const MAX_TOKEN_LENGTH = 8192;

/** Where a token was found. */
export type TokenSource = "header" | "cookie" | "query";

/** What a verified token allows. */
export interface TokenGrant {
  /** The `sub` claim: the user id, or null for a backend token without one (or with `""`). */
  sub: string | null;
  /** Patterns from `herald.subscribe`. */
  subscribe: string[];
  /** Patterns from `herald.publish`. */
  publish: string[];
  /** A stable key for per-token limits: `sub`, else `jti`, else a digest of the token. */
  key: string;
}

export interface TokenKeys {
  /** HS256 shared secret (`HERALD_JWT_SECRET`). */
  secret?: string | null;
  /** SPKI PEM for RS256/ES256 (`HERALD_JWT_PUBLIC_KEY`). */
  publicKeyPem?: string | null;
  issuer?: string | null;
  audience?: string | null;
}

export interface TokenVerifier {
  /** Whether any key is configured; without one no token can be checked. */
  readonly enabled: boolean;
  /** The token's grant; throws HttpError 401 naming what is wrong. */
  verify(token: string): Promise<TokenGrant>;
  /**
   * The verified token's claims (signature, algorithm, `exp`, `nbf`, issuer
   * and audience checked as for {@link verify}); other protocols read their
   * own claims from it (lib/mercure). Throws HttpError 401.
   */
  claims(token: string): Promise<JWTPayload>;
}

const ASYMMETRIC_ALGS = ["RS256", "ES256"] as const;

function unauthorized(code: string, message: string): HttpError {
  return new HttpError(401, code, message, {
    "www-authenticate": `Bearer error="invalid_token"`,
  });
}

/**
 * The token a request carries, and where; null when it carries none. An
 * Authorization header of another scheme (`Basic` from a password-protected
 * proxy) is not a token; a malformed `Bearer` one is a 401.
 */
export function readToken(
  req: Request,
): { token: string; source: TokenSource } | null {
  const auth = req.headers.get("authorization");
  if (auth !== null && /^Bearer(\s|$)/i.test(auth)) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
    if (!match) {
      throw unauthorized(
        "invalid_authorization",
        "Authorization header must be `Bearer <token>`",
      );
    }
    return { token: match[1], source: "header" };
  }
  const cookie = parseCookies(req.headers).get(TOKEN_COOKIE);
  if (cookie) return { token: cookie, source: "cookie" };
  const query = new URL(req.url).searchParams.get("token");
  if (query) return { token: query, source: "query" };
  return null;
}

function stringList(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw unauthorized(
      "token_claims",
      `token claim herald.${name} must be a list of channel patterns`,
    );
  }
  return value;
}

async function digest(token: string): Promise<string> {
  const hash = await crypto.subtle.digest(
    "SHA-256",
    new TextEncoder().encode(token),
  );
  return Array.from(
    new Uint8Array(hash).slice(0, 12),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}

async function grantOf(
  payload: JWTPayload,
  token: string,
): Promise<TokenGrant> {
  if (payload.sub !== undefined && typeof payload.sub !== "string") {
    throw unauthorized("token_claims", "token claim sub must be a string");
  }
  const herald = payload.herald ?? {};
  if (typeof herald !== "object" || herald === null || Array.isArray(herald)) {
    throw unauthorized("token_claims", "token claim herald must be an object");
  }
  const claims = herald as Record<string, unknown>;
  // An empty `sub` names no one: it must not own the channel `user:`.
  const sub = payload.sub || null;
  return {
    sub,
    subscribe: stringList(claims.subscribe, "subscribe"),
    publish: stringList(claims.publish, "publish"),
    key: await tokenKey(payload, token),
  };
}

/** A stable key of a verified token for per-token limits: `sub`, else `jti`, else a digest. */
export async function tokenKey(
  payload: JWTPayload,
  token: string,
): Promise<string> {
  return typeof payload.sub === "string" && payload.sub !== ""
    ? `sub:${payload.sub}`
    : typeof payload.jti === "string"
    ? `jti:${payload.jti}`
    : `tok:${await digest(token)}`;
}

function explain(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const code = (err as { code?: string })?.code;
  switch (code) {
    case "ERR_JWT_EXPIRED":
      return unauthorized("token_expired", "token has expired");
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return unauthorized(
        "token_signature",
        "token signature is not valid for this server",
      );
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return unauthorized("token_algorithm", "token algorithm is not accepted");
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const claim = (err as { claim?: string }).claim ?? "a claim";
      return unauthorized(
        "token_claims",
        claim === "nbf"
          ? "token is not valid yet (nbf)"
          : `token claim ${claim} is not accepted`,
      );
    }
    default:
      return unauthorized("token_malformed", "token is not a well-formed JWT");
  }
}

/** A verifier for the configured keys. */
export function createTokenVerifier(keys: TokenKeys): TokenVerifier {
  const secret = keys.secret ? new TextEncoder().encode(keys.secret) : null;
  const pem = keys.publicKeyPem?.trim() || null;
  const imported = new Map<string, Promise<CryptoKey>>();
  const options: JWTVerifyOptions = {
    clockTolerance: 5,
    ...(keys.issuer ? { issuer: keys.issuer } : {}),
    ...(keys.audience ? { audience: keys.audience } : {}),
  };

  const publicKey = (alg: string): Promise<CryptoKey> => {
    let key = imported.get(alg);
    if (!key) {
      key = importSPKI(pem!, alg);
      imported.set(alg, key);
    }
    return key;
  };

  const claims = async (token: string): Promise<JWTPayload> => {
    if (token.length > MAX_TOKEN_LENGTH) {
      throw unauthorized("token_malformed", "token is too long");
    }
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw unauthorized("token_malformed", "token is not a well-formed JWT");
    }
    try {
      if (alg === "HS256" && secret) {
        const { payload } = await jwtVerify(token, secret, {
          ...options,
          algorithms: ["HS256"],
        });
        return payload;
      }
      if (
        pem &&
        (ASYMMETRIC_ALGS as readonly (string | undefined)[]).includes(alg)
      ) {
        let key: CryptoKey;
        try {
          key = await publicKey(alg!);
        } catch {
          throw unauthorized(
            "token_algorithm",
            `token algorithm ${alg} does not match the configured public key`,
          );
        }
        const { payload } = await jwtVerify(token, key, {
          ...options,
          algorithms: [alg!],
        });
        return payload;
      }
    } catch (err) {
      throw explain(err);
    }
    const accepted = [
      ...(secret ? ["HS256"] : []),
      ...(pem ? ASYMMETRIC_ALGS : []),
    ];
    throw unauthorized(
      "token_algorithm",
      `token algorithm ${
        String(alg ?? "missing").replace(/[^\w.-]/g, "?").slice(0, 20)
      } is not accepted (accepted: ${accepted.join(", ") || "none"})`,
    );
  };

  return {
    enabled: secret !== null || pem !== null,
    claims,
    verify: async (token) => await grantOf(await claims(token), token),
  };
}

/**
 * Mercure access tokens: where a request carries one, and what a verified one grants
 * (the `mercure` claim and `authorization_details`), with Herald's JWT keys.
 *
 * @module
 */
import type { JWTPayload } from "jose";
import { HttpError } from "../http/error.ts";
import { parseCookies } from "../access/cookies.ts";
import { tokenKey, type TokenVerifier } from "../access/token.ts";
import {
  MatcherError,
  type MatchType,
  parseMatcher,
  parseSelector,
  type TopicMatcher,
} from "./matcher.ts";

/** Cookies a browser may carry the token in (the older name first). */
export const TOKEN_COOKIES = ["mercureAuthorization", "mercureAccessToken"];
/** Most matchers a token may hold per action (more is an invalid token). */
export const MAX_TOKEN_MATCHERS = 100;

/** What a verified token allows. */
export interface MercureGrant {
  sub: string | null;
  publish: TopicMatcher[];
  subscribe: TopicMatcher[];
  /** Expiry, ms since the epoch, or null. */
  expiresAt: number | null;
  /** Per-token limit key (lib/access `tokenKey`). */
  key: string;
}

function invalidToken(message: string): HttpError {
  return new HttpError(401, "invalid_token", message, {
    "www-authenticate": `Bearer error="invalid_token"`,
  });
}

/** The token of `req`, by the protocol's precedence, or null. */
export function findToken(req: Request): string | null {
  const auth = req.headers.get("authorization");
  if (auth !== null && /^Bearer(\s|$)/i.test(auth)) {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(auth);
    if (!match) {
      throw new HttpError(
        400,
        "invalid_request",
        "Authorization header must be `Bearer <token>`",
      );
    }
    return match[1];
  }
  const query = new URL(req.url).searchParams.get("access_token");
  if (query) return query;
  const cookies = parseCookies(req.headers);
  for (const name of TOKEN_COOKIES) {
    const value = cookies.get(name);
    if (value) return value;
  }
  return null;
}

/** The verified grant of the request's token, or null without one; 401 for a bad one. */
export async function readGrant(
  req: Request,
  tokens: TokenVerifier,
  base: string,
): Promise<MercureGrant | null> {
  const token = findToken(req);
  if (token === null) return null;
  if (!tokens.enabled) {
    throw invalidToken(
      "this hub verifies no tokens (set HERALD_JWT_SECRET or HERALD_JWT_PUBLIC_KEY)",
    );
  }
  let payload: JWTPayload;
  try {
    payload = await tokens.claims(token);
  } catch (err) {
    // One answer for every failure: the reason is not disclosed (spec).
    if (err instanceof HttpError && err.status === 401) {
      throw invalidToken(err.message);
    }
    throw err;
  }
  const grant = grantOf(payload, base);
  return { ...grant, key: await tokenKey(payload, token) };
}

/** The rights in a verified token's claims; throws 401 for malformed Mercure claims. */
export function grantOf(
  payload: JWTPayload,
  base: string,
): Omit<MercureGrant, "key"> {
  const publish: TopicMatcher[] = [];
  const subscribe: TopicMatcher[] = [];
  try {
    const legacy = payload.mercure;
    if (legacy !== undefined) {
      if (!isObject(legacy)) {
        throw new MatcherError("claim mercure must be an object");
      }
      publish.push(...selectors(legacy.publish, "mercure.publish", base));
      subscribe.push(...selectors(legacy.subscribe, "mercure.subscribe", base));
    }
    const details = payload.authorization_details;
    if (details !== undefined) {
      if (!Array.isArray(details)) {
        throw new MatcherError("claim authorization_details must be an array");
      }
      for (const detail of details) {
        if (!isObject(detail) || detail.type !== "mercure") continue;
        const actions = detail.actions;
        if (
          !Array.isArray(actions) || actions.length === 0 ||
          !actions.every((a) => a === "publish" || a === "subscribe")
        ) {
          throw new MatcherError(
            'a mercure authorization detail needs actions from ["publish", "subscribe"]',
          );
        }
        const matchers = topicMatchers(detail.topics, base);
        if (actions.includes("publish")) publish.push(...matchers);
        if (actions.includes("subscribe")) subscribe.push(...matchers);
      }
    }
  } catch (err) {
    if (err instanceof MatcherError) throw invalidToken(err.message);
    throw err;
  }
  if (
    publish.length > MAX_TOKEN_MATCHERS || subscribe.length > MAX_TOKEN_MATCHERS
  ) {
    throw invalidToken(
      `a token may hold at most ${MAX_TOKEN_MATCHERS} matchers per action`,
    );
  }
  return {
    sub: typeof payload.sub === "string" && payload.sub !== ""
      ? payload.sub
      : null,
    publish,
    subscribe,
    expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : null,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function selectors(value: unknown, name: string, base: string): TopicMatcher[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw new MatcherError(`claim ${name} must be a list of topic selectors`);
  }
  return value.map((selector) => parseSelector(selector, base));
}

function topicMatchers(value: unknown, base: string): TopicMatcher[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new MatcherError(
      "a mercure authorization detail needs a non-empty topics list",
    );
  }
  return value.map((entry) => {
    if (!isObject(entry) || typeof entry.match !== "string") {
      throw new MatcherError(
        'each topics entry must be {"match", "matchType"?}',
      );
    }
    const type = entry.matchType ?? "Exact";
    if (type !== "Exact" && type !== "URLPattern") {
      throw new MatcherError('matchType must be "Exact" or "URLPattern"');
    }
    return parseMatcher(type as MatchType, entry.match, base);
  });
}

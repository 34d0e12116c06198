/**
 * Helpers of the Mercure tests: tokens with the `mercure` claim or RFC 9068
 * `authorization_details`, publishing by form, and subscribing with a
 * parsed SSE stream.
 *
 * @module
 */
import { SignJWT } from "jose";
import { SECRET } from "../access/_tokens.ts";
import { SseReader } from "../_support/sse_parser.ts";

export { SECRET };
export const HUB = "/.well-known/mercure";

/** An HS256 token signed with {@link SECRET}; `expiresIn` in seconds (default 1 h). */
export function mercureToken(
  claims: Record<string, unknown>,
  expiresIn = 3600,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(SECRET));
}

/** A token that may publish everything (the `mercure` claim). */
export function publisherToken(): Promise<string> {
  return mercureToken({ mercure: { publish: ["*"] } });
}

export type Fields = [string, string][];

/** POSTs a publish form; returns the response (body unread). */
export function publish(
  url: string,
  fields: Fields,
  token?: string | null,
): Promise<Response> {
  return fetch(url + HUB, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Publishes and returns the update id (throws unless 200 text/plain). */
export async function published(
  url: string,
  fields: Fields,
  token: string | null,
): Promise<string> {
  const res = await publish(url, fields, token);
  const text = await res.text();
  if (
    res.status !== 200 ||
    !res.headers.get("content-type")?.startsWith("text/plain")
  ) {
    throw new Error(`publish answered ${res.status}: ${text}`);
  }
  return text;
}

export interface Subscription {
  res: Response;
  sse: SseReader;
}

/** Opens a subscription; the response is 200 and subscribed when this resolves. */
export async function subscribe(
  url: string,
  params: Fields,
  headers: Record<string, string> = {},
): Promise<Subscription> {
  const res = await fetch(`${url}${HUB}?${new URLSearchParams(params)}`, {
    headers,
  });
  if (res.status !== 200) {
    throw new Error(`subscribe answered ${res.status}: ${await res.text()}`);
  }
  return { res, sse: new SseReader(res.body!) };
}

/** The data of the next `count` events. */
export async function nextData(
  sub: Subscription,
  count = 1,
): Promise<string[]> {
  return (await sub.sse.events(count)).map((e) => e.data);
}

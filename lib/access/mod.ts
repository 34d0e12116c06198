/**
 * Access control entry points that the HTTP layer calls (issue 5 fills these in).
 *
 * Contract:
 * - `authorize` resolves who is calling and checks that they may `action` every
 *   one of `channels`; it throws an HttpError (401 no/invalid token, 403 not allowed).
 * - `acquireStream` counts an open SSE stream against per-user and per-IP limits
 *   (throws HttpError 429); call the returned function when the stream ends.
 * - `checkPublishRate` throws HttpError 429 with `Retry-After` when over the rate.
 *
 * @module
 */
import { HttpError } from "../http/error.ts";

export type Action = "subscribe" | "publish";

/** Who is calling. */
export interface Principal {
  /** The user id (`sub` of a token, or the session's anonymous id); null when unknown. */
  sub: string | null;
  /** The client address, for per-IP limits. */
  ip: string;
}

/** Request facts that are not on the Request itself. */
export interface RequestInfo {
  remoteAddr?: Deno.NetAddr | Deno.Addr;
}

function ipOf(info?: RequestInfo): string {
  const addr = info?.remoteAddr;
  return addr && "hostname" in addr ? addr.hostname : "unknown";
}

/** Placeholder policy until tokens land: public channels open, `user:` and `private:` closed. */
export function authorize(
  _req: Request,
  _action: Action,
  channels: string[],
  info?: RequestInfo,
): Promise<Principal> {
  for (const channel of channels) {
    if (channel.startsWith("user:") || channel.startsWith("private:")) {
      return Promise.reject(
        new HttpError(401, "unauthorized", `channel ${channel} needs a token`),
      );
    }
  }
  return Promise.resolve({ sub: null, ip: ipOf(info) });
}

export function acquireStream(_who: Principal): () => void {
  return () => {};
}

export function checkPublishRate(_who: Principal): void {}

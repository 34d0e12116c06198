/**
 * Access control entry points that the HTTP layer calls, backed by one
 * process-wide {@link Access} instance read from the environment on first use.
 *
 * Contract:
 * - `authorize` resolves who is calling and checks that they may `action` every
 *   one of `channels`; it throws an HttpError (401 no/invalid token, 403 not allowed).
 * - `acquireStream` counts an open SSE stream against per-user and per-IP limits
 *   (throws HttpError 429); call the returned function when the stream ends.
 * - `checkPublishRate` throws HttpError 429 with `Retry-After` when over the rate.
 *
 * @example
 * ```ts
 * const who = await authorize(req, "subscribe", channels, { remoteAddr: ctx.remoteAddr });
 * const release = acquireStream(who);
 * try { … stream … } finally { release(); }
 * ```
 * @module
 */
import {
  type Access,
  createAccess,
  type Principal,
  type RequestInfo,
} from "./access.ts";
import { type AccessConfig, accessConfigFromEnv } from "./config.ts";
import type { Action } from "./policy.ts";

export type { Access, AccessConfig, Action, Principal, RequestInfo };
export type { Session } from "./session.ts";
export { accessConfigFromEnv, createAccess };

let current: Access | null = null;

/** The process-wide instance (created from `Deno.env` on first use). */
export function access(): Access {
  return current ??= createAccess(accessConfigFromEnv());
}

/** Replaces the process-wide instance, e.g. from a test; `null` re-reads the environment on next use. */
export function configureAccess(config: AccessConfig | null): void {
  current = config ? createAccess(config) : null;
}

export function authorize(
  req: Request,
  action: Action,
  channels: string[],
  info?: RequestInfo,
): Promise<Principal> {
  return access().authorize(req, action, channels, info);
}

export function acquireStream(who: Principal): () => void {
  return access().acquireStream(who);
}

export function checkPublishRate(who: Principal): void {
  access().checkPublishRate(who);
}

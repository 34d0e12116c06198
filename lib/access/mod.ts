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
import { randomSecret } from "./session.ts";
import { getAppStore } from "../app/store/mod.ts";

export type { Access, AccessConfig, Action, Principal, RequestInfo };
export type { Session } from "./session.ts";
export { accessConfigFromEnv, createAccess };

let current: Access | null = null;

const SESSION_SECRET_KEY = ["access", "session-secret"];

/**
 * With no session secret configured, one is generated once per deployment and
 * kept in the app store (the KV file, Deno Deploy's KV or Redis), so sessions
 * survive restarts and hold across processes. Production should still set
 * `HERALD_SESSION_SECRET`. Without a store, a random per-process one.
 */
async function storedSessionSecret(): Promise<string> {
  try {
    const store = await getAppStore();
    await store.setIfAbsent(SESSION_SECRET_KEY, await randomSecret());
    const secret = await store.get<string>(SESSION_SECRET_KEY);
    if (secret) return secret;
  } catch (err) {
    console.warn(
      `session secret not stored (${err}); using one for this process`,
    );
  }
  return await randomSecret();
}

function createProcessAccess(config: AccessConfig): Access {
  return createAccess(config, { generatedSessionSecret: storedSessionSecret });
}

/** The process-wide instance (created from `Deno.env` on first use). */
export function access(): Access {
  return current ??= createProcessAccess(accessConfigFromEnv());
}

/** Replaces the process-wide instance, e.g. from a test; `null` re-reads the environment on next use. */
export function configureAccess(config: AccessConfig | null): void {
  current = config ? createProcessAccess(config) : null;
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

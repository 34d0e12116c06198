/**
 * `Idempotency-Key` on publishes: claim, publish once, replay the first answer (README,
 * HTTP API; ARCHITECTURE.md, The HTTP API).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import type { Principal } from "../../access/access.ts";
import type { HeraldLog } from "../observe.ts";
import type { KeyValueStore } from "../key_value.ts";

/** The part of the app's store (lib/app/store) this needs; the broker's KV or Redis across processes. */
export type IdempotencyStore = Pick<
  KeyValueStore,
  "get" | "set" | "setIfAbsent" | "deleteIf"
>;

/** How long a key's first answer is kept. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** How long a claim outlives a process that died while publishing (far past the broker's 5 s timeouts). */
const CLAIM_TTL_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;
/** Headers of the first answer that a replay repeats. */
const KEPT_HEADERS = ["content-type", "location"];

interface Claim {
  state: "pending";
  fingerprint: string;
  claim: string;
}

interface Done {
  state: "done";
  fingerprint: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface IdempotencyScope {
  /** Who publishes (a token's subject, a session, an address): keys of different publishers never meet. */
  scope: string;
  /**
   * A digest of what the request asks for: the same key with another request
   * is refused. Computed only for a request with a key (a SHA-256 per publish
   * is an async op on a loaded server).
   */
  fingerprint: () => Promise<string>;
}

/** The request's `Idempotency-Key`, or null; a malformed one is a 400. */
export function idempotencyKey(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key === null) return null;
  if (!KEY.test(key)) {
    throw new HttpError(
      400,
      "invalid_idempotency_key",
      "Idempotency-Key is 1-255 visible ASCII characters",
    );
  }
  return key;
}

/** SHA-256 of `parts` as JSON, hex. */
export async function digest(parts: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(parts));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...hash].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Runs `publish` once per key and scope (README, HTTP API: Idempotency); without a key,
 * just runs it. `publish` gets the key's digest to hand the broker as the
 * message's `once` key: a retry after an ambiguous 503 (the broker ran the
 * publish but its answer was lost) then gets the first event, not a second.
 */
export async function idempotent(
  req: Request,
  store: IdempotencyStore,
  who: IdempotencyScope,
  publish: (once?: string) => Promise<Response>,
  log: HeraldLog,
): Promise<Response> {
  const key = idempotencyKey(req);
  if (key === null) return await publish();
  const once = await digest([who.scope, key]);
  const storeKey = ["idempotency", once];
  const fingerprint = await who.fingerprint();
  const claim: Claim = {
    state: "pending",
    fingerprint,
    claim: crypto.randomUUID(),
  };
  // Twice: a claim or answer can expire between the refused claim and the read.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await store.setIfAbsent(storeKey, claim, { ttlMs: CLAIM_TTL_MS })) {
      return await runClaimed(store, storeKey, claim, () => publish(once), log);
    }
    const found = await store.get<Claim | Done>(storeKey);
    if (found === null) continue;
    if (found.fingerprint !== fingerprint) {
      throw new HttpError(
        422,
        "idempotency_key_reused",
        "this Idempotency-Key was used for another request; use a new key",
      );
    }
    if (found.state === "pending") {
      throw new HttpError(
        409,
        "idempotency_in_progress",
        "a request with this Idempotency-Key is still being published; retry shortly",
        { "retry-after": "1" },
      );
    }
    return new Response(found.body, {
      status: found.status,
      headers: { ...found.headers, "idempotent-replayed": "true" },
    });
  }
  throw new HttpError(
    409,
    "idempotency_in_progress",
    "this Idempotency-Key is contended; retry shortly",
    { "retry-after": "1" },
  );
}

async function runClaimed(
  store: IdempotencyStore,
  storeKey: string[],
  claim: Claim,
  publish: () => Promise<Response>,
  log: HeraldLog,
): Promise<Response> {
  let res: Response;
  try {
    res = await publish();
  } catch (err) {
    await store.deleteIf(storeKey, claim).catch(() => {});
    throw err;
  }
  if (res.status >= 400) {
    await store.deleteIf(storeKey, claim).catch(() => {});
    return res;
  }
  const body = await res.text();
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  const done: Done = {
    state: "done",
    fingerprint: claim.fingerprint,
    status: res.status,
    headers,
    body,
  };
  try {
    await store.set(storeKey, done, { ttlMs: IDEMPOTENCY_TTL_MS });
  } catch (err) {
    // Published, but the answer is not kept: a retry after the claim expires publishes again.
    log.log("error", "idempotency answer not stored", {
      error: String(err),
    });
  }
  return new Response(body, { status: res.status, headers: res.headers });
}

/** A publisher's idempotency scope: its token's subject or key, else its session, else its address. */
export function publisherScope(who: Principal): string {
  if (who.admin) return "admin";
  if (who.token) return `token:${who.token.key}`;
  if (who.via === "session" && who.sub) return `session:${who.sub}`;
  return `ip:${who.ip}`;
}

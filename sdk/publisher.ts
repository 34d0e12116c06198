/**
 * Herald's publisher client for servers (Deno and Node 18+): publish, batch, history
 * paging, idempotent retries and token minting (README, SDKs and tokens).
 *
 * @example
 * ```ts
 * const herald = new HeraldPublisher({ url: "http://localhost:8000", token });
 * const { id } = await herald.publish("news", { title: "hello" });
 * ```
 *
 * @module
 */
import { importPKCS8, SignJWT } from "jose";

/** One stored event, as history and streams give it. */
export interface HeraldEvent<T = unknown> {
  id: string;
  channel: string;
  event: string;
  data: T;
  /** Publish time, ms since the epoch. */
  time: number;
}

export interface PublisherOptions {
  /** Herald's base URL, e.g. `https://herald.example.com`. */
  url: string;
  /** A bearer token, or a function that returns one (called per request, so it can renew). */
  token?: string | (() => string | Promise<string>);
  /** Attempts after the first for a publish that may be retried; default 4. */
  retries?: number;
  /** First retry delay, doubled each time (with jitter); default 200 ms. */
  backoffMs?: number;
  /** Longest retry delay; default 5000 ms. */
  maxBackoffMs?: number;
  /** The fetch to use; default the global one. */
  fetch?: typeof fetch;
}

export interface PublishOptions {
  /** The SSE event name; default `message`. */
  event?: string;
  /** The key that makes retries safe; default a random UUID per call. */
  idempotencyKey?: string;
}

export interface Published {
  id: string;
  channel: string;
  /** True when Herald answered with the first result of this idempotency key. */
  replayed: boolean;
}

export interface BatchItem {
  channel: string;
  event?: string;
  data: unknown;
}

export type BatchResult =
  | { id: string; channel: string }
  | { error: { code: string; message: string } };

export interface HistoryQuery {
  /** Oldest events after this id (forward). */
  after?: string;
  /** Only events below this id (backward paging from it). */
  before?: string;
  /** Events per page (Herald's default 100). */
  limit?: number;
}

export interface HistoryPage<T = unknown> {
  channel: string;
  /** Oldest first. */
  events: HeraldEvent<T>[];
  /** Events exist past this page in its direction. */
  more: boolean;
  /** Events the request reached for were already dropped from history. */
  trimmed: boolean;
  /** The query string of the next page, when `more`. */
  next?: string;
}

/** An error answer of Herald: `status`, and the JSON error's `code`. */
export class HeraldError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds, from `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "HeraldError";
  }
}

/** Answers worth another attempt with the same idempotency key. */
function retryable(err: unknown): boolean {
  if (!(err instanceof HeraldError)) return true; // the network: the answer may be lost
  return err.status === 503 || err.status === 429 || err.status === 409 ||
    err.status === 502 || err.status === 504;
}

export class HeraldPublisher {
  readonly #base: string;
  readonly #opts: PublisherOptions;
  readonly #fetch: typeof fetch;

  constructor(opts: PublisherOptions) {
    this.#base = opts.url.replace(/\/+$/, "");
    this.#opts = opts;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** Publishes `data` on `channel`; retried with backoff while retrying is safe. */
  async publish(
    channel: string,
    data: unknown,
    opts: PublishOptions = {},
  ): Promise<Published> {
    const key = opts.idempotencyKey ?? crypto.randomUUID();
    const res = await this.#retrying(() =>
      this.#send(
        "POST",
        `/api/channels/${encodeURIComponent(channel)}/messages`,
        { event: opts.event, data },
        key,
      )
    );
    const body = await res.json() as { id: string; channel: string };
    return {
      ...body,
      replayed: res.headers.get("idempotent-replayed") === "true",
    };
  }

  /** Publishes several messages in one request; one result per item, in order. */
  async publishBatch(
    items: BatchItem[],
    opts: { idempotencyKey?: string } = {},
  ): Promise<BatchResult[]> {
    const key = opts.idempotencyKey ?? crypto.randomUUID();
    const res = await this.#retrying(() =>
      this.#send("POST", "/api/messages", items, key)
    );
    return (await res.json() as { results: BatchResult[] }).results;
  }

  /** One page of a channel's history (newest `limit` by default; see {@link HistoryQuery}). */
  async history<T = unknown>(
    channel: string,
    query: HistoryQuery = {},
  ): Promise<HistoryPage<T>> {
    const params = new URLSearchParams();
    if (query.after) params.set("after", query.after);
    if (query.before) params.set("before", query.before);
    if (query.limit) params.set("limit", String(query.limit));
    return await this.#page<T>(channel, `?${params}`);
  }

  /**
   * Every page of a channel's history, following `next`: forward from
   * `after` (oldest first), else backward from the newest (or `before`).
   */
  async *pages<T = unknown>(
    channel: string,
    query: HistoryQuery = {},
  ): AsyncGenerator<HistoryPage<T>> {
    let page = await this.history<T>(channel, query);
    yield page;
    while (page.more && page.next) {
      page = await this.#page<T>(channel, page.next);
      yield page;
    }
  }

  /** Every retained event of a channel after `after` (default: all), oldest first. */
  async *events<T = unknown>(
    channel: string,
    query: { after?: string; limit?: number } = {},
  ): AsyncGenerator<HeraldEvent<T>> {
    const after = query.after ?? "0000000000000000-0000";
    for await (const page of this.pages<T>(channel, { ...query, after })) {
      yield* page.events;
    }
  }

  async #page<T>(channel: string, query: string): Promise<HistoryPage<T>> {
    const res = await this.#retrying(() =>
      this.#send(
        "GET",
        `/api/channels/${encodeURIComponent(channel)}/messages${query}`,
      )
    );
    return await res.json() as HistoryPage<T>;
  }

  async #send(
    method: string,
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (idempotencyKey) headers["idempotency-key"] = idempotencyKey;
    const token = typeof this.#opts.token === "function"
      ? await this.#opts.token()
      : this.#opts.token;
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await this.#fetch(this.#base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.ok) return res;
    let code = "http_error";
    let message = `HTTP ${res.status}`;
    try {
      const answer = await res.json();
      code = answer?.error?.code ?? code;
      message = answer?.error?.message ?? message;
    } catch { /* not JSON */ }
    const retryAfter = Number(res.headers.get("retry-after"));
    throw new HeraldError(
      res.status,
      code,
      message,
      Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
    );
  }

  /** Runs `attempt` until it succeeds, a non-retryable error, or the retries run out. */
  async #retrying(attempt: () => Promise<Response>): Promise<Response> {
    const retries = this.#opts.retries ?? 4;
    const base = this.#opts.backoffMs ?? 200;
    const max = this.#opts.maxBackoffMs ?? 5000;
    for (let n = 0;; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (n >= retries || !retryable(err)) throw err;
        const hinted = err instanceof HeraldError && err.retryAfter
          ? err.retryAfter * 1000
          : 0;
        const backoff = Math.min(max, base * 2 ** n);
        const delay = Math.max(
          hinted,
          backoff / 2 + Math.random() * backoff / 2,
        );
        await new Promise((r) => setTimeout(r, Math.min(delay, max)));
      }
    }
  }
}

export interface MintOptions {
  /** HS256 secret (Herald's `HERALD_JWT_SECRET`). */
  secret?: string;
  /** Or a PKCS#8 PEM private key (RS256 or ES256; Herald holds the public key in `HERALD_JWT_PUBLIC_KEY`). */
  privateKeyPem?: string;
  /** The user id (`sub`); it owns the `user:{sub}` channel. */
  sub?: string;
  /** Channel patterns the token may read. */
  subscribe?: string[];
  /** Channel patterns the token may write. */
  publish?: string[];
  /** Lifetime: seconds, or `30s`, `15m`, `1h`, `7d`; default `1h`. */
  ttl?: number | string;
  /** `iss`, when Herald requires one (`HERALD_JWT_ISSUER`). */
  issuer?: string;
  /** `aud`, when Herald requires one (`HERALD_JWT_AUDIENCE`). */
  audience?: string;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** A lifetime in seconds from `90`, `"90"`, `"30s"`, `"15m"`, `"1h"` or `"7d"`; throws on anything else. */
export function ttlSeconds(ttl: number | string): number {
  const match = /^(\d+)([smhd]?)$/.exec(String(ttl).trim());
  const seconds = match ? Number(match[1]) * UNITS[match[2] || "s"] : NaN;
  if (!(seconds > 0) || !Number.isSafeInteger(seconds)) {
    throw new RangeError(
      `ttl must be a positive number of seconds or like 30s, 15m, 1h, 7d; got ${
        JSON.stringify(ttl)
      }`,
    );
  }
  return seconds;
}

/** A signed Herald token: `{sub, herald: {subscribe, publish}, iat, exp}`. */
export async function mintToken(opts: MintOptions): Promise<string> {
  if (!opts.secret === !opts.privateKeyPem) {
    throw new TypeError("mintToken needs exactly one of secret, privateKeyPem");
  }
  const now = Math.floor(Date.now() / 1000);
  const herald: Record<string, string[]> = {};
  if (opts.subscribe?.length) herald.subscribe = opts.subscribe;
  if (opts.publish?.length) herald.publish = opts.publish;
  const claims: Record<string, unknown> = { herald };
  if (opts.sub) claims.sub = opts.sub;
  let key: Uint8Array | CryptoKey;
  let alg = "HS256";
  if (opts.secret) {
    key = new TextEncoder().encode(opts.secret);
  } else {
    // PKCS#8 says which kind of key it holds; jose wants the algorithm named.
    const pem = opts.privateKeyPem!;
    try {
      key = await importPKCS8(pem, "ES256");
      alg = "ES256";
    } catch {
      key = await importPKCS8(pem, "RS256");
      alg = "RS256";
    }
  }
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg, typ: "JWT" })
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds(opts.ttl ?? "1h"));
  if (opts.issuer) jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt.setAudience(opts.audience);
  return await jwt.sign(key);
}

/**
 * One access-control instance: settings, token verifier, session key and limiters,
 * behind the hooks the HTTP layer calls; built once in the composition root.
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import type { HeraldMetrics } from "../metrics/metrics.ts";
import type { AccessConfig } from "./config.ts";
import { type Cors, createCors } from "./cors.ts";
import {
  ChannelLimiter,
  ConcurrencyLimiter,
  RateLimiter,
  type RateVerdict,
} from "./limits.ts";
import { adminCheck } from "./admin.ts";
import { assertNotCrossSiteWrite } from "./origin.ts";
import { type Action, decide, type PolicyOptions } from "./policy.ts";
import {
  hasSessionCookie,
  readSession,
  type Session,
  sessionKeyFor,
} from "./session.ts";
import {
  createTokenVerifier,
  readToken,
  type TokenGrant,
  type TokenVerifier,
} from "./token.ts";
import type { Bucket, Counter, LimitStore } from "./shared_limits.ts";

/** Who is calling. */
export interface Principal {
  /** The user id (`sub` of a token, else the session's anonymous id); null when unknown. */
  sub: string | null;
  /** The client address, for per-IP limits. */
  ip: string;
  /** What identified the caller. */
  via: "token" | "session" | "anonymous";
  /** The verified token, when one was presented and token checks are on. */
  token: TokenGrant | null;
  /** The verified session cookie, if any. */
  session: Session | null;
  /** The caller showed `HERALD_ADMIN_TOKEN`. */
  admin?: boolean;
}

/** Request facts that are not on the Request itself. */
export interface RequestInfo {
  remoteAddr?: Deno.NetAddr | Deno.Addr;
}

export interface Access {
  readonly config: AccessConfig;
  readonly cors: Cors;
  /** Verifies JWTs with the configured keys (`HERALD_JWT_SECRET` / `HERALD_JWT_PUBLIC_KEY`). */
  readonly tokens: TokenVerifier;
  /** The key that signs `herald_session` cookies. */
  sessionKey(): Promise<CryptoKey>;
  /** The client address, honouring `HERALD_TRUST_PROXY`. */
  clientIp(req: Request, info?: RequestInfo): string;
  /** Who is calling, once they may `action` every channel; throws HttpError 401/403. */
  authorize(
    req: Request,
    action: Action,
    channels: readonly string[],
    info?: RequestInfo,
  ): Promise<Principal>;
  /**
   * Counts an open stream of `channels` against the per-user and per-address
   * stream limits (across every process when a limit store is given) and the
   * distinct channels per address (per process); rejects with HttpError 429
   * when over one. Call the result when the stream ends.
   */
  acquireStream(
    who: Principal,
    channels?: readonly string[],
  ): Promise<() => void>;
  /**
   * Takes one publish from the caller's allowance (with `room`, first one
   * room creation from its room allowance); rejects with HttpError 429 with
   * `Retry-After` when over the rate.
   */
  checkPublishRate(who: Principal, opts?: { room?: boolean }): Promise<void>;
  /** {@link authorize} to publish to `channels`, then {@link checkPublishRate}: every publish path's admission. */
  admitPublish(
    req: Request,
    channels: readonly string[],
    info?: RequestInfo,
  ): Promise<Principal>;
  /** Whether the request carries `Authorization: Bearer <HERALD_ADMIN_TOKEN>`. */
  isAdmin(req: Request): Promise<boolean>;
}

/** What the deployment supplies beyond its configuration. */
export interface AccessOptions {
  /** The session secret to use when none is configured (default: random, this process only). */
  generatedSessionSecret?: () => Promise<string>;
  /**
   * The deployment-wide counters (the broker's store): stream and rate limits
   * then hold across processes. Without one they hold per process.
   */
  limitStore?: LimitStore;
  /** Told when the limit store fails; the limits then hold per process (fail open). */
  onLimitStoreError?: (err: unknown) => void;
  /** Counts refusals by limit (`herald_limit_refusals_total`). */
  metrics?: Pick<HeraldMetrics, "limitRefused" | "streamRefused">;
}

/** An access-control instance for `config`. */
export function createAccess(
  config: AccessConfig,
  options: AccessOptions = {},
): Access {
  const verifier = createTokenVerifier({
    secret: config.jwtSecret,
    publicKeyPem: config.jwtPublicKeyPem,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
  });
  let key: Promise<CryptoKey> | null = null;
  const sessionKey = () =>
    key ??= sessionKeyFor(config, options.generatedSessionSecret);
  const policy: PolicyOptions = {
    tokensEnabled: verifier.enabled,
    publicSubscribe: config.publicSubscribe,
    sessionPublish: config.sessionPublish,
  };
  const { limits } = config;
  const streamsPerUser = new ConcurrencyLimiter(limits.streamsPerUser);
  const streamsPerIp = new ConcurrencyLimiter(limits.streamsPerIp);
  const channelsPerIp = new ChannelLimiter(limits.channelsPerIp);
  const ratePerToken = new RateLimiter({
    rate: limits.publishRate,
    burst: limits.publishBurst,
    maxKeys: limits.limiterMaxKeys,
  });
  const ratePerIp = new RateLimiter({
    rate: limits.publishRateIp,
    burst: limits.publishBurstIp,
    maxKeys: limits.limiterMaxKeys,
  });
  const roomRate = new RateLimiter({
    rate: limits.roomCreateRate,
    burst: limits.roomCreateBurst,
    maxKeys: limits.limiterMaxKeys,
  });
  const isAdmin = adminCheck(config.adminToken);
  /** The bucket key of a caller: its token's, else its address. */
  const rateKey = (who: Principal) =>
    who.token ? who.token.key : `ip:${who.ip}`;
  const { metrics } = options;
  const refuseOver = (verdict: RateVerdict, what: string) => {
    if (!verdict.ok) {
      metrics?.limitRefused(
        what === "creating rooms" ? "room_rate" : "publish_rate",
      );
      throw tooMany(
        `${what} too fast; retry in ${verdict.retryAfterSeconds} s`,
        verdict.retryAfterSeconds,
      );
    }
  };

  const shared = options.limitStore;
  const storeFailed = (err: unknown) => options.onLimitStoreError?.(err);

  // This process's bucket first (no round trip when it alone is over), then
  // the deployment's, in one call; a store that fails leaves the local verdict.
  const checkPublishRate = async (
    who: Principal,
    opts: { room?: boolean } = {},
  ) => {
    const charges: (Bucket & { limiter: RateLimiter; what: string })[] = [];
    if (opts.room) {
      charges.push({
        limiter: roomRate,
        key: `room:${rateKey(who)}`,
        rate: limits.roomCreateRate,
        burst: limits.roomCreateBurst,
        what: "creating rooms",
      });
    }
    charges.push({
      limiter: who.token ? ratePerToken : ratePerIp,
      key: `publish:${rateKey(who)}`,
      rate: who.token ? limits.publishRate : limits.publishRateIp,
      burst: who.token ? limits.publishBurst : limits.publishBurstIp,
      what: "publishing",
    });
    for (const charge of charges) {
      refuseOver(charge.limiter.take(rateKey(who)), charge.what);
    }
    const active = charges.filter((charge) => charge.rate > 0);
    if (!shared || active.length === 0) return;
    let verdict;
    try {
      verdict = await shared.take(
        active.map(({ key, rate, burst }) => ({ key, rate, burst })),
      );
    } catch (err) {
      return storeFailed(err);
    }
    if (!verdict.ok) refuseOver(verdict, active[verdict.index].what);
  };

  const acquireLocalStream = (
    who: Principal,
    channels: readonly string[],
  ): () => void => {
    const releaseIp = streamsPerIp.tryAcquire(`ip:${who.ip}`);
    if (!releaseIp) throw tooManyStreams("address", limits.streamsPerIp);
    const releaseChannels = channelsPerIp.tryAcquire(
      `ip:${who.ip}`,
      channels,
    );
    if (!releaseChannels) {
      releaseIp();
      throw new HttpError(
        429,
        "too_many_channels",
        `this address already follows ${
          channelsPerIp.count(`ip:${who.ip}`)
        } channels; at most ${limits.channelsPerIp} distinct channels across its open streams`,
        { "retry-after": "5" },
      );
    }
    const releaseUser = who.sub === null
      ? () => {}
      : streamsPerUser.tryAcquire(`sub:${who.sub}`);
    if (!releaseUser) {
      releaseChannels();
      releaseIp();
      throw tooManyStreams("user", limits.streamsPerUser);
    }
    return () => {
      releaseUser();
      releaseChannels();
      releaseIp();
    };
  };

  const clientIp = (req: Request, info?: RequestInfo): string => {
    if (config.trustProxy > 0) {
      const hops = (req.headers.get("x-forwarded-for") ?? "").split(",")
        .map((s) => s.trim()).filter((s) => s !== "");
      // Each trusted proxy appends the address it saw; the client is N from the right.
      const ip = hops[Math.max(0, hops.length - config.trustProxy)];
      if (ip) return ip.slice(0, 64);
    }
    const addr = info?.remoteAddr;
    return addr && "hostname" in addr ? addr.hostname : "unknown";
  };

  const cors = createCors(config.corsOrigins);

  const authorize: Access["authorize"] = async (
    req,
    action,
    channels,
    info,
  ) => {
    if (action === "publish") assertNotCrossSiteWrite(req, cors);
    // The admin's bearer secret is not a JWT: it is never sent to the verifier.
    const admin = await isAdmin(req);
    // Without a key nothing can verify a token: it is not even parsed.
    const found = verifier.enabled && !admin ? readToken(req) : null;
    const token = found ? await verifier.verify(found.token) : null;
    // The key (maybe kept in the store) is only needed for a cookie to check.
    const session = hasSessionCookie(req)
      ? await readSession(req, await sessionKey())
      : null;
    for (const channel of channels) {
      const decision = decide(
        action,
        channel,
        { token, session, admin },
        policy,
      );
      if (!decision.allowed) {
        throw new HttpError(
          decision.status,
          decision.status === 401 ? "unauthorized" : "forbidden",
          decision.message,
          decision.status === 401 ? { "www-authenticate": "Bearer" } : {},
        );
      }
    }
    return {
      sub: token?.sub ?? session?.id ?? null,
      ip: clientIp(req, info),
      via: token ? "token" : session ? "session" : "anonymous",
      token,
      session,
      admin,
    };
  };

  const acquireStream = async (
    who: Principal,
    channels: readonly string[],
  ): Promise<() => void> => {
    const releaseLocal = acquireLocalStream(who, channels);
    const counters: (Counter & { what: "address" | "user" })[] = [];
    if (limits.streamsPerIp > 0) {
      counters.push({
        key: `ip:${who.ip}`,
        max: limits.streamsPerIp,
        what: "address",
      });
    }
    if (who.sub !== null && limits.streamsPerUser > 0) {
      counters.push({
        key: `sub:${who.sub}`,
        max: limits.streamsPerUser,
        what: "user",
      });
    }
    if (!shared || counters.length === 0) return releaseLocal;
    let held = false;
    try {
      const verdict = await shared.acquire(
        counters.map(({ key, max }) => ({ key, max })),
      );
      if (!verdict.ok) {
        releaseLocal();
        const { what, max } = counters[verdict.index];
        throw tooManyStreams(what, max);
      }
      held = true;
    } catch (err) {
      if (err instanceof HttpError) throw err;
      storeFailed(err);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      releaseLocal();
      if (held) {
        shared.release(counters.map(({ key }) => key)).catch(storeFailed);
      }
    };
  };

  /** Counts a stream refused by a limit (a 429): by the limit it names. */
  const countStreamRefusal = (err: unknown) => {
    if (!metrics || !(err instanceof HttpError) || err.status !== 429) return;
    metrics.limitRefused(
      err.code === "too_many_channels"
        ? "channels_per_ip"
        : err.message.includes("this user")
        ? "streams_per_user"
        : "streams_per_ip",
    );
    metrics.streamRefused();
  };

  return {
    config,
    cors,
    tokens: verifier,
    sessionKey,
    clientIp,
    authorize,
    async acquireStream(who, channels = []) {
      try {
        return await acquireStream(who, channels);
      } catch (err) {
        countStreamRefusal(err);
        throw err;
      }
    },
    checkPublishRate,
    async admitPublish(req, channels, info) {
      const who = await authorize(req, "publish", channels, info);
      await checkPublishRate(who);
      return who;
    },
    isAdmin,
  };
}

function tooManyStreams(what: "address" | "user", max: number): HttpError {
  return tooMany(
    what === "address"
      ? `too many open streams from this address (limit ${max})`
      : `too many open streams for this user (limit ${max})`,
    5,
  );
}

function tooMany(message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(429, "too_many_requests", message, {
    "retry-after": String(retryAfterSeconds),
  });
}

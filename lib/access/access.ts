/**
 * One access-control instance: the settings, the token verifier, the session
 * key, and the limiters, behind the hooks the HTTP layer calls. `mod.ts` keeps
 * the process-wide instance; tests make their own.
 *
 * @example
 * ```ts
 * const access = createAccess(accessConfigFromEnv({ HERALD_JWT_SECRET: "s" }));
 * const who = await access.authorize(req, "subscribe", ["news"]);
 * const release = access.acquireStream(who);
 * ```
 * @module
 */
import { HttpError } from "../http/error.ts";
import type { AccessConfig } from "./config.ts";
import { type Cors, createCors } from "./cors.ts";
import { ConcurrencyLimiter, RateLimiter } from "./limits.ts";
import { assertNotCrossSiteWrite } from "./origin.ts";
import { type Action, decide, type PolicyOptions } from "./policy.ts";
import {
  hasSessionCookie,
  readSession,
  type Session,
  sessionKeyFor,
} from "./session.ts";
import { createTokenVerifier, readToken, type TokenGrant } from "./token.ts";

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
}

/** Request facts that are not on the Request itself. */
export interface RequestInfo {
  remoteAddr?: Deno.NetAddr | Deno.Addr;
}

export interface Access {
  readonly config: AccessConfig;
  readonly cors: Cors;
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
  /** Counts an open stream; throws HttpError 429 when over a limit. Call the result when it ends. */
  acquireStream(who: Principal): () => void;
  /** Throws HttpError 429 with `Retry-After` when over the publish rate. */
  checkPublishRate(who: Principal): void;
}

/** What the deployment supplies beyond its configuration. */
export interface AccessOptions {
  /** The session secret to use when none is configured (default: random, this process only). */
  generatedSessionSecret?: () => Promise<string>;
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

  return {
    config,
    cors,
    sessionKey,
    clientIp,
    async authorize(req, action, channels, info) {
      if (action === "publish") assertNotCrossSiteWrite(req, cors);
      // Without a key nothing can verify a token: it is not even parsed.
      const found = verifier.enabled ? readToken(req) : null;
      const token = found ? await verifier.verify(found.token) : null;
      // The key (maybe kept in the store) is only needed for a cookie to check.
      const session = hasSessionCookie(req)
        ? await readSession(req, await sessionKey())
        : null;
      for (const channel of channels) {
        const decision = decide(action, channel, { token, session }, policy);
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
      };
    },
    acquireStream(who) {
      const releaseIp = streamsPerIp.tryAcquire(`ip:${who.ip}`);
      if (!releaseIp) {
        throw tooMany(
          `too many open streams from this address (limit ${limits.streamsPerIp})`,
          5,
        );
      }
      if (who.sub === null) return releaseIp;
      const releaseUser = streamsPerUser.tryAcquire(`sub:${who.sub}`);
      if (!releaseUser) {
        releaseIp();
        throw tooMany(
          `too many open streams for this user (limit ${limits.streamsPerUser})`,
          5,
        );
      }
      return () => {
        releaseUser();
        releaseIp();
      };
    },
    checkPublishRate(who) {
      const verdict = who.token
        ? ratePerToken.take(who.token.key)
        : ratePerIp.take(`ip:${who.ip}`);
      if (!verdict.ok) {
        throw tooMany(
          `publishing too fast; retry in ${verdict.retryAfterSeconds} s`,
          verdict.retryAfterSeconds,
        );
      }
    },
  };
}

function tooMany(message: string, retryAfterSeconds: number): HttpError {
  return new HttpError(429, "too_many_requests", message, {
    "retry-after": String(retryAfterSeconds),
  });
}

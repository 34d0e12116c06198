/**
 * Who may subscribe or publish to which channel: one pure decision over the caller's
 * credentials (the rules: lib/access/README.md).
 *
 * @module
 */
import { matchesAny, matchPattern } from "./pattern.ts";
import type { Session } from "./session.ts";
import type { TokenGrant } from "./token.ts";

export type Action = "subscribe" | "publish";

/** What the caller showed. */
export interface Credentials {
  /** A verified token (only when token checks are on). */
  token: TokenGrant | null;
  /** A verified `herald_session` cookie. */
  session: Session | null;
  /** The caller showed `HERALD_ADMIN_TOKEN`: it may read every channel. */
  admin?: boolean;
}

export interface PolicyOptions {
  /** True when a JWT key is configured. */
  tokensEnabled: boolean;
  /** Patterns of channels anyone may read (`HERALD_PUBLIC_SUBSCRIBE`). */
  publicSubscribe: readonly string[];
  /** Patterns a session may publish to when tokens are enabled (`HERALD_SESSION_PUBLISH`). */
  sessionPublish: readonly string[];
}

export type Decision =
  | { allowed: true }
  | { allowed: false; status: 401 | 403; message: string };

const RESERVED = ["user:", "private:"] as const;

/** The reserved namespace prefix of a channel (`user:` or `private:`), or null. */
export function reservedPrefix(channel: string): string | null {
  return RESERVED.find((prefix) => channel.startsWith(prefix)) ?? null;
}

/** Every session's private channels start with this. */
export const SESSION_CHANNELS = "private:session.";

/** The prefix of the channels only one session reads: `private:session.{id}.…` (the app's per-visitor channels). */
export function sessionChannelPrefix(sessionId: string): string {
  return `${SESSION_CHANNELS}${sessionId}.`;
}

/** Whether `patterns` grant `channel`, where reserved channels need a pattern naming their namespace. */
export function patternsGrant(
  patterns: readonly string[],
  channel: string,
): boolean {
  const prefix = reservedPrefix(channel);
  return patterns.some((pattern) =>
    (prefix === null || pattern.startsWith(prefix)) &&
    matchPattern(pattern, channel)
  );
}

/** Whether anyone may read `channel` without credentials. */
export function isPublic(channel: string, options: PolicyOptions): boolean {
  return reservedPrefix(channel) === null &&
    matchesAny(options.publicSubscribe, channel);
}

function mayAct(
  action: Action,
  channel: string,
  { token, session, admin }: Credentials,
  options: PolicyOptions,
): boolean {
  if (admin && action === "subscribe") return true;
  // A user's own channel: they may read it, and post to it (only they can
  // see what they post there, so it reaches no one else).
  if (channel.startsWith("user:")) {
    const owner = channel.slice("user:".length);
    if (owner !== "" && (token?.sub === owner || session?.id === owner)) {
      return true;
    }
  }
  if (action === "subscribe") {
    // A session's private channels (the app writes them, the session reads them).
    if (session && channel.startsWith(sessionChannelPrefix(session.id))) {
      return true;
    }
    if (isPublic(channel, options)) return true;
    return token !== null && patternsGrant(token.subscribe, channel);
  }
  if (!options.tokensEnabled) return isPublic(channel, options);
  if (token && patternsGrant(token.publish, channel)) return true;
  return session !== null && patternsGrant(options.sessionPublish, channel);
}

/** The decision for one channel. */
export function decide(
  action: Action,
  channel: string,
  credentials: Credentials,
  options: PolicyOptions,
): Decision {
  if (mayAct(action, channel, credentials, options)) return { allowed: true };
  const { token, session } = credentials;
  const shown = JSON.stringify(
    channel.length > 80 ? channel.slice(0, 80) + "…" : channel,
  );
  if (options.tokensEnabled && token === null) {
    return {
      allowed: false,
      status: 401,
      message: `${action} to channel ${shown} needs a token`,
    };
  }
  if (
    !options.tokensEnabled && action === "subscribe" && session === null &&
    channel.startsWith("user:")
  ) {
    return {
      allowed: false,
      status: 401,
      message: `channel ${shown} is readable only with its user's session`,
    };
  }
  return {
    allowed: false,
    status: 403,
    message: options.tokensEnabled
      ? `this token may not ${action} to channel ${shown}`
      : `channel ${shown} is closed to ${action} (no token checks configured)`,
  };
}

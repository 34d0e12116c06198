/**
 * `GET /.well-known/mercure`: a Mercure subscription, streamed by Herald's hub with a
 * selector for its matchers and its grant (ARCHITECTURE.md, Mercure).
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import { matchesAny } from "../access/pattern.ts";
import type { ApiContext } from "../realtime/http/context.ts";
import {
  openStreamFor,
  streamErrorResponse,
} from "../realtime/http/event_stream.ts";
import type { HeraldEvent } from "../realtime/types.ts";
import { SSE_HEADERS } from "../realtime/sse/headers.ts";
import { type MercureGrant, readGrant } from "./claims.ts";
import { hubUrlOf } from "./hub_url.ts";
import {
  badMatcher,
  matchesAnyTopic,
  parseMatcher,
  parseSelector,
  type TopicMatcher,
} from "./matcher.ts";
import { principalOf } from "./principal.ts";
import { requestedId, resumePoint } from "./resume.ts";
import {
  MERCURE_FORM,
  PRIVATE_CHANNEL,
  PUBLIC_CHANNEL,
  storedUpdate,
} from "./update.ts";

/** Most matcher parameters of one subscription. */
export const MAX_MATCHERS = 32;

/** The subscription's matchers, from the query; 400 naming a bad one. */
export function readMatchers(url: URL, hubUrl: string): TopicMatcher[] {
  const matchers: TopicMatcher[] = [];
  for (const [name, value] of url.searchParams) {
    let matcher: TopicMatcher | null = null;
    try {
      if (name === "match" || name === "matchExact") {
        matcher = parseMatcher("Exact", value, hubUrl);
      } else if (name === "matchURLPattern" || name === "match_urlpattern") {
        matcher = parseMatcher("URLPattern", value, hubUrl);
      } else if (name === "topic") {
        matcher = parseSelector(value, hubUrl);
      } else if (name.toLowerCase().startsWith("match")) {
        throw new HttpError(
          400,
          "invalid_request",
          `unknown matcher parameter ${JSON.stringify(name.slice(0, 40))}`,
        );
      }
    } catch (err) {
      throw err instanceof HttpError ? err : badMatcher(err, name);
    }
    if (matcher === null) continue;
    if (matchers.length === MAX_MATCHERS) {
      throw new HttpError(
        400,
        "invalid_request",
        `at most ${MAX_MATCHERS} matchers per subscription`,
      );
    }
    matchers.push(matcher);
  }
  if (matchers.length === 0) {
    throw new HttpError(
      400,
      "invalid_request",
      "give at least one match, matchURLPattern or topic parameter",
    );
  }
  return matchers;
}

/** Whether the subscriber may see `event` at all (topics aside): private ones need a grant. */
function visibleTo(grant: MercureGrant | null) {
  return (event: HeraldEvent): boolean => {
    const update = storedUpdate(event);
    if (update === null) return false;
    if (event.channel !== PRIVATE_CHANNEL) return true;
    return grant !== null && matchesAnyTopic(grant.subscribe, update.topics);
  };
}

export async function subscribe(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const { herald, access } = ctx.state;
  try {
    const hubUrl = hubUrlOf(req);
    const matchers = readMatchers(new URL(req.url), hubUrl);
    const grant = await readGrant(req, access.tokens, hubUrl);
    if (
      grant === null &&
      !matchesAny(access.config.publicSubscribe, PUBLIC_CHANNEL)
    ) {
      throw new HttpError(
        401,
        "unauthorized",
        "this hub needs a token to subscribe",
        { "www-authenticate": "Bearer" },
      );
    }
    // HEAD: the answer a GET would start with, without opening a stream.
    if (req.method === "HEAD") {
      return new Response(null, { headers: SSE_HEADERS });
    }
    const channels = grant && grant.subscribe.length > 0
      ? [PUBLIC_CHANNEL, PRIVATE_CHANNEL]
      : [PUBLIC_CHANNEL];
    const visible = visibleTo(grant);
    const select = (event: HeraldEvent) =>
      visible(event) &&
      matchesAnyTopic(matchers, storedUpdate(event)!.topics);
    const requested = requestedId(req);
    const resume = requested === null ? null : await resumePoint(
      herald.broker,
      channels,
      requested,
      visible,
      herald.historyGate,
    );
    return await openStreamFor(
      ctx,
      principalOf(req, access, grant, { remoteAddr: ctx.remoteAddr }),
      {
        channels,
        form: MERCURE_FORM,
        lastEventId: resume?.after ?? null,
        select,
        // The stream ends when the token does; the client comes back with a new one.
        endsAt: grant?.expiresAt ?? undefined,
      },
      resume ? { "last-event-id": resume.header } : {},
    );
  } catch (err) {
    return streamErrorResponse(err, herald.config.retryMs, herald.log);
  }
}

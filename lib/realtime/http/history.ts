/**
 * `GET /api/channels/{channel}/messages`: a bounded history page as JSON (README, HTTP
 * API; ARCHITECTURE.md, The HTTP API).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { maxEventBytes } from "../config.ts";
import { type HistoryPage, readHistoryPage } from "../history/reader.ts";
import type { Broker } from "../types.ts";
import type { ApiContext } from "./context.ts";
import { boundedBody } from "./bounded_body.ts";
import { brokerError } from "./publish.ts";
import { parseAfter, parseChannel, parseLimit } from "./validate.ts";
import { channelsToAuthorize } from "../presence/presence.ts";

export const DEFAULT_HISTORY_LIMIT = 100;

export async function readHistory(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const { broker, config, historyGate } = ctx.state.herald;
  const channel = parseChannel(ctx.params.channel);
  const query = new URL(req.url).searchParams;
  const after = parseAfter(query.get("after"));
  const before = parseAfter(query.get("before"), "before");
  const limit = parseLimit(
    query.get("limit"),
    config.historyMaxLimit,
    DEFAULT_HISTORY_LIMIT,
  );
  await ctx.state.access.authorize(
    req,
    "subscribe",
    channelsToAuthorize([channel]),
    {
      remoteAddr: ctx.remoteAddr,
    },
  );
  const release = historyGate.tryAcquire();
  if (!release) {
    throw new HttpError(
      503,
      "history_busy",
      "too many history reads in progress; retry shortly",
      { "retry-after": "1" },
    );
  }
  let body: Uint8Array;
  try {
    const page = await readHistoryPage(broker, channel, {
      after,
      before,
      limit,
      maxBytes: config.historyPageBytes,
      maxEventBytes: maxEventBytes(config),
    });
    const forward = after !== undefined;
    const more = page.more || await moreBeyond(broker, channel, page, {
      forward,
      limit,
      before,
    });
    const trimmed = await trimmedPast(broker, channel, { after, more });
    let next = "";
    if (more) {
      const rest = new URLSearchParams();
      if (forward) {
        rest.set("after", page.events.at(-1)!.id);
        if (before !== undefined) rest.set("before", before);
      } else {
        rest.set("before", page.events[0].id);
      }
      rest.set("limit", String(limit));
      next = `,"next":${JSON.stringify(`?${rest}`)}`;
    }
    body = new TextEncoder().encode(
      `{"channel":${JSON.stringify(channel)},"events":[${
        page.json.join(",")
      }],"more":${more},"trimmed":${trimmed}${next}}`,
    );
  } catch (err) {
    release();
    throw brokerError(err, broker);
  }
  return new Response(
    boundedBody(body, { deadlineMs: config.historySendMs, onDone: release }),
    {
      headers: {
        "content-type": "application/json; charset=utf-8",
        "content-length": String(body.byteLength),
      },
    },
  );
}

/** Whether a page that reached its `limit` has events past it, in its direction (one event read). */
async function moreBeyond(
  broker: Broker,
  channel: string,
  page: HistoryPage,
  opts: { forward: boolean; limit: number; before?: string },
): Promise<boolean> {
  if (page.events.length < opts.limit || page.events.length === 0) return false;
  const beyond = opts.forward
    ? await broker.history(channel, {
      after: page.events.at(-1)!.id,
      before: opts.before,
      limit: 1,
    })
    : await broker.history(channel, { before: page.events[0].id, limit: 1 });
  return beyond.length > 0;
}

/**
 * Whether events the request asked for are gone from history: forward, some
 * after `after` were trimmed (the page does not continue from it); backward,
 * the page reached the oldest event kept and older ones were trimmed.
 */
async function trimmedPast(
  broker: Broker,
  channel: string,
  opts: { after?: string; more: boolean },
): Promise<boolean> {
  if (opts.after === undefined && opts.more) return false;
  const through = await broker.trimmedThrough(channel);
  if (through === null) return false;
  return opts.after === undefined || opts.after < through;
}

/**
 * `GET /api/channels/{channel}/messages?after=&before=&limit=`: retained
 * history as JSON `{channel, events, more, next?}`, oldest first. Without
 * `after`, the newest `limit` events (default 100, below `before` if given);
 * with it, the oldest `limit` events after it. A response holds at most
 * `HERALD_HISTORY_PAGE_BYTES` of events: past that the page stops early with
 * `more: true` and `next`, the query for the rest. At most
 * `HERALD_HISTORY_CONCURRENCY` responses are read or sent at once (503 with
 * `Retry-After` past that), each cut if not taken within `HERALD_HISTORY_SEND_MS`.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { maxEventBytes } from "../config.ts";
import { readHistoryPage } from "../history/reader.ts";
import type { ApiContext } from "./context.ts";
import { boundedBody } from "./bounded_body.ts";
import { brokerError } from "./publish.ts";
import { parseAfter, parseChannel, parseLimit } from "./validate.ts";

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
  await ctx.state.access.authorize(req, "subscribe", [channel], {
    remoteAddr: ctx.remoteAddr,
  });
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
    }).catch((err) => {
      throw brokerError(err, broker);
    });
    let next = "";
    if (page.more) {
      const rest = new URLSearchParams();
      if (after !== undefined) {
        rest.set("after", page.events.at(-1)!.id);
        if (before !== undefined) rest.set("before", before);
      } else {
        rest.set("before", page.events[0].id);
      }
      rest.set("limit", String(limit - page.events.length));
      next = `,"next":${JSON.stringify(`?${rest}`)}`;
    }
    body = new TextEncoder().encode(
      `{"channel":${JSON.stringify(channel)},"events":[${
        page.json.join(",")
      }],"more":${page.more}${next}}`,
    );
  } catch (err) {
    release();
    throw err;
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

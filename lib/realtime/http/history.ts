/**
 * `GET /api/channels/{channel}/messages?after=&limit=`: retained history as
 * JSON `{channel, events}`, oldest first. Without `after`, the newest
 * `limit` events (default 100); with it, the oldest `limit` events after it.
 *
 * @module
 */
import type { ApiContext } from "./context.ts";
import { brokerError } from "./publish.ts";
import { parseAfter, parseChannel, parseLimit } from "./validate.ts";

export const DEFAULT_HISTORY_LIMIT = 100;

export async function readHistory(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const { broker, config } = ctx.state.herald;
  const channel = parseChannel(ctx.params.channel);
  const query = new URL(req.url).searchParams;
  const after = parseAfter(query.get("after"));
  const limit = parseLimit(
    query.get("limit"),
    config.historyMaxLimit,
    DEFAULT_HISTORY_LIMIT,
  );
  await ctx.state.access.authorize(req, "subscribe", [channel], {
    remoteAddr: ctx.remoteAddr,
  });
  try {
    const events = await broker.history(channel, { after, limit });
    return Response.json({ channel, events });
  } catch (err) {
    throw brokerError(err, broker);
  }
}

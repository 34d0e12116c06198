/**
 * `GET /api/channels/{channel}/presence`: who has a stream open on the channel, under
 * the channel's read rule (README, HTTP API).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { channelsToAuthorize } from "../presence/presence.ts";
import type { ApiContext } from "./context.ts";
import { parseChannel } from "./validate.ts";

export async function readPresence(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const channel = parseChannel(ctx.params.channel);
  await ctx.state.access.authorize(
    req,
    "subscribe",
    channelsToAuthorize([channel]),
    { remoteAddr: ctx.remoteAddr },
  );
  const { presence } = ctx.state;
  if (!presence) {
    throw new HttpError(404, "no_presence", "presence is not kept here");
  }
  let members;
  try {
    members = await presence.members(channel);
  } catch {
    throw new HttpError(
      503,
      "store_unavailable",
      "presence could not be read; retry shortly",
      { "retry-after": "1" },
    );
  }
  return Response.json({ channel, members }, {
    headers: { "cache-control": "no-store" },
  });
}

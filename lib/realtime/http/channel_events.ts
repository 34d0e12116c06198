/**
 * `GET /api/channels/{channel}/events`: the SSE stream of one channel; each
 * event's `data:` is the published payload as JSON.
 *
 * @module
 */
import type { ApiContext } from "./context.ts";
import { openEventStream, streamErrorResponse } from "./event_stream.ts";
import { parseChannel } from "./validate.ts";

export function streamChannelEvents(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  let channel: string;
  try {
    channel = parseChannel(ctx.params.channel);
  } catch (err) {
    return Promise.resolve(
      streamErrorResponse(
        err,
        ctx.state.herald.config.retryMs,
        ctx.state.herald.log,
      ),
    );
  }
  return openEventStream(req, ctx, [channel], "payload");
}

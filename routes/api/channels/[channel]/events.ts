/** `GET /api/channels/{channel}/events`: SSE stream of one channel (lib/realtime/http/channel_events.ts). @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../../../lib/realtime/http/context.ts";
import { streamChannelEvents } from "../../../../lib/realtime/http/channel_events.ts";

export const handler: Handlers<unknown, ApiState> = {
  GET: streamChannelEvents,
};

/** `GET /api/channels/{channel}/events`: SSE stream of one channel (lib/realtime/http/channel_events.ts). @module */
import { heraldRoute } from "../../../../lib/realtime/http/route.ts";
import { channelEventsEndpoint } from "../../../../lib/realtime/http/channel_events.ts";

export const handler = heraldRoute(channelEventsEndpoint, { stream: true });

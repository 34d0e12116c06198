/** `GET /api/events?channel=a&channel=b`: one SSE stream of several channels (lib/realtime/http/events.ts). @module */
import { heraldRoute } from "../../lib/realtime/http/route.ts";
import { eventsEndpoint } from "../../lib/realtime/http/events.ts";

export const handler = heraldRoute(eventsEndpoint, { stream: true });

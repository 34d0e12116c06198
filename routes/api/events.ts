/** `GET /api/events?channel=a&channel=b`: one SSE stream of several channels (lib/realtime/http/events.ts). @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../lib/realtime/http/context.ts";
import { streamEvents } from "../../lib/realtime/http/events.ts";

export const handler: Handlers<unknown, ApiState> = { GET: streamEvents };

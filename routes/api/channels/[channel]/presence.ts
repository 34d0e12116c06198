/** `GET /api/channels/{channel}/presence`: who is on the channel (lib/realtime/http/presence.ts). @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../../../lib/realtime/http/context.ts";
import { readPresence } from "../../../../lib/realtime/http/presence.ts";

export const handler: Handlers<unknown, ApiState> = { GET: readPresence };

/** `POST /chat/{room}/leave` (also by `navigator.sendBeacon` on `pagehide`): see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import { leaveRoom } from "../../../lib/app/chat/http.ts";

export const handler: Handlers = {
  POST: (req, ctx) => leaveRoom(req, ctx.params.room),
};

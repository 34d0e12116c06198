/** `POST /chat/{room}/join`: see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import { joinRoom } from "../../../lib/app/chat/http.ts";

export const handler: Handlers = {
  POST: (req, ctx) => joinRoom(req, ctx.params.room),
};

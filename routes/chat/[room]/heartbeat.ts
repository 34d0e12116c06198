/** `POST /chat/{room}/heartbeat`: keeps a member's entry alive; see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import { heartbeat } from "../../../lib/app/chat/http.ts";

export const handler: Handlers = {
  POST: (req, ctx) => heartbeat(req, ctx.params.room),
};

/** `POST /chat/{room}/messages`: a member sends a message; see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import { sendMessage } from "../../../lib/app/chat/http.ts";

export const handler: Handlers = {
  POST: (req, ctx) => sendMessage(req, ctx.params.room),
};

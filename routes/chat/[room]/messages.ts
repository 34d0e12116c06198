/** `POST /chat/{room}/messages`: a member sends a message; see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomWrite } from "../../../lib/app/admit.ts";
import { sendMessage } from "../../../lib/app/chat/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: roomWrite("publish", sendMessage),
};

/** `POST /chat/{room}/heartbeat`: keeps a member's entry alive; see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomWrite } from "../../../lib/app/admit.ts";
import { heartbeat } from "../../../lib/app/chat/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: roomWrite("none", heartbeat),
};

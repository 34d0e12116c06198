/** `POST /chat/{room}/leave`: the member gives up their name (the Leave button); see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomWrite } from "../../../lib/app/admit.ts";
import { leaveRoom } from "../../../lib/app/chat/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: roomWrite("none", leaveRoom),
};

/** `GET /chat/{room}/state`: the room's log and members as JSON (the island resyncs with it). @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomState } from "../../../lib/app/chat/http.ts";

export const handler: Handlers<unknown, AppState> = {
  GET: (_req, ctx) => roomState(ctx.state.chat, ctx.params.room),
};

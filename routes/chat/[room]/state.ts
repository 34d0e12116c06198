/** `GET /chat/{room}/state`: the room's log and members as JSON (the island resyncs with it). @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { admitRead } from "../../../lib/app/admit.ts";
import { roomState } from "../../../lib/app/chat/http.ts";
import { roomChannel } from "../../../lib/app/chat/types.ts";

export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    const who = await admitRead(req, ctx, [roomChannel(ctx.params.room)]);
    return roomState(ctx.state.chat, ctx.params.room, who);
  },
};

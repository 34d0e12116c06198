/** `POST /chat/{room}/leave` (also by `navigator.sendBeacon` on `pagehide`): see lib/app/chat/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { admitted } from "../../../lib/app/admit.ts";
import { leaveRoom } from "../../../lib/app/chat/http.ts";
import { roomChannel } from "../../../lib/app/chat/types.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: (req, ctx) =>
    admitted(
      req,
      ctx,
      roomChannel(ctx.params.room),
      "none",
      () => leaveRoom(ctx.state.chat, req, ctx.params.room),
    ),
};

/** `GET /flights/state`: the board as JSON; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { admitRead } from "../../lib/app/admit.ts";
import { boardState } from "../../lib/app/flights/http.ts";
import { FLIGHTS_CHANNEL } from "../../lib/app/flights/types.ts";

export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    await admitRead(req, ctx, [FLIGHTS_CHANNEL]);
    return boardState(ctx.state.flights);
  },
};

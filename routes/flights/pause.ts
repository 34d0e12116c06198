/** `POST /flights/pause`: pause or resume the board; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { admitted } from "../../lib/app/admit.ts";
import { setPaused } from "../../lib/app/flights/http.ts";
import { FLIGHTS_CHANNEL } from "../../lib/app/flights/types.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: (req, ctx) =>
    admitted(
      req,
      ctx,
      FLIGHTS_CHANNEL,
      "publish",
      () => setPaused(ctx.state.flights, req),
    ),
};

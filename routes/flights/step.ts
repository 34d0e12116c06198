/** `POST /flights/step`: one change now (tests, demos; `HERALD_FLIGHTS_STEP=on`); see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { admitted } from "../../lib/app/admit.ts";
import { stepBoard } from "../../lib/app/flights/http.ts";
import { FLIGHTS_CHANNEL } from "../../lib/app/flights/types.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: (req, ctx) =>
    admitted(
      req,
      ctx,
      FLIGHTS_CHANNEL,
      "publish",
      () => stepBoard(ctx.state.flights),
    ),
};

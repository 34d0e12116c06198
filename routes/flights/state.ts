/** `GET /flights/state`: the board as JSON; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { boardState } from "../../lib/app/flights/http.ts";

export const handler: Handlers<unknown, AppState> = {
  GET: (_req, ctx) => boardState(ctx.state.flights),
};

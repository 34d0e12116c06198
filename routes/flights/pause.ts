/** `POST /flights/pause`: pause or resume the board; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { flightsWrite } from "../../lib/app/admit.ts";
import { setPaused } from "../../lib/app/flights/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: flightsWrite(setPaused),
};

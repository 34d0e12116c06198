/** `POST /flights/step`: one change now (tests, demos; `HERALD_FLIGHTS_STEP=on`); see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { flightsWrite } from "../../lib/app/admit.ts";
import { stepBoard } from "../../lib/app/flights/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: flightsWrite(stepBoard),
};

/** `POST /clock/runs`: start a clock run; see lib/app/clock/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { startRun } from "../../lib/app/clock/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: (req, ctx) => startRun(req, ctx),
};

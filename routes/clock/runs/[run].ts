/** `POST /clock/runs/{run}`: go on with a clock run; see lib/app/clock/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { resumeRun } from "../../../lib/app/clock/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: (req, ctx) => resumeRun(req, ctx, ctx.params.run),
};

/** `GET /flights/status`: which process runs the simulator; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { simulatorStatus } from "../../lib/app/flights/http.ts";

export const handler: Handlers<unknown, AppState> = {
  GET: (_req, ctx) => simulatorStatus(ctx.state.flights),
};

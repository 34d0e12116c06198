/** `GET /metrics`: Prometheus text exposition, for the admin only (lib/metrics). @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../lib/app/services.ts";
import { refuseNonAdmin } from "../lib/app/admin/gate.ts";

export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    const refused = await refuseNonAdmin(req, ctx.state.access);
    if (refused) return refused;
    const { metrics } = ctx.state;
    return new Response(await metrics.exposition(), {
      headers: {
        "content-type": metrics.contentType,
        "cache-control": "no-store",
      },
    });
  },
};

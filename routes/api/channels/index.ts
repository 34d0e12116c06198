/**
 * `GET /api/channels` (admin only): every process's figures and the channels
 * followed across them, with subscriber counts and rates
 * (lib/app/admin/stats.ts). Private channel names are shown: only the admin
 * reads this.
 *
 * @module
 */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { refuseNonAdmin } from "../../../lib/app/admin/gate.ts";

export const handler: Handlers<unknown, AppState> = {
  async GET(req, ctx) {
    const refused = await refuseNonAdmin(req, ctx.state.access);
    if (refused) return refused;
    return Response.json(ctx.state.adminStats!.view(), {
      headers: { "cache-control": "no-store" },
    });
  },
};

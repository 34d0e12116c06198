/**
 * `GET /api/channels` (admin only): every process's figures and the channels followed
 * across them, private names included (lib/app/admin/stats.ts).
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

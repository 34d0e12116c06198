/**
 * `GET /api/clock?duration=SECONDS`: the server time every second over SSE,
 * then `end` (see lib/app/clock/stream.ts).
 *
 * @module
 */
import type { Handlers } from "$fresh/server.ts";
import { clockResponse } from "../../lib/app/clock/stream.ts";
import type { AppState } from "../../lib/app/services.ts";

export const handler: Handlers<unknown, AppState> = {
  // A clock is an open stream like any other: it counts against the
  // per-user and per-IP stream limits.
  async GET(req, ctx) {
    const { access, config } = ctx.state;
    const who = await access.authorize(req, "subscribe", [], {
      remoteAddr: ctx.remoteAddr,
    });
    return clockResponse(req, {
      ...config.clock,
      onEnd: await access.acquireStream(who),
      signal: ctx.state.closing,
    });
  },
};

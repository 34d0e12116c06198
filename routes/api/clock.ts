/**
 * `GET /api/clock?duration=SECONDS`: the server time every second over SSE,
 * then `end` (see lib/app/clock/stream.ts).
 *
 * @module
 */
import type { Handlers } from "$fresh/server.ts";
import {
  clockOptionsFromEnv,
  clockResponse,
} from "../../lib/app/clock/stream.ts";
import { acquireStream, authorize } from "../../lib/access/mod.ts";
import { errorResponse } from "../../lib/http/error.ts";

const options = clockOptionsFromEnv();

export const handler: Handlers = {
  // A clock is an open stream like any other: it counts against the
  // per-user and per-IP stream limits.
  async GET(req, ctx) {
    try {
      const who = await authorize(req, "subscribe", [], {
        remoteAddr: ctx.remoteAddr,
      });
      return clockResponse(req, { ...options, onEnd: acquireStream(who) });
    } catch (err) {
      return errorResponse(err);
    }
  },
};

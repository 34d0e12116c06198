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

const options = clockOptionsFromEnv();

export const handler: Handlers = {
  GET: (req) => clockResponse(req, options),
};

/** `GET /api/health`: broker health and stream counts (lib/realtime/http/health.ts). @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../lib/realtime/http/context.ts";
import { checkHealth } from "../../lib/realtime/http/health.ts";

export const handler: Handlers<unknown, ApiState> = { GET: checkHealth };

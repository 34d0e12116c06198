/** `GET /api/health`: broker health and stream counts (lib/realtime/http/health.ts). @module */
import { heraldRoute } from "../../lib/realtime/http/route.ts";
import { healthEndpoint } from "../../lib/realtime/http/health.ts";

export const handler = heraldRoute(healthEndpoint);

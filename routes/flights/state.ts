/** `GET /flights/state`: the board as JSON; see lib/app/flights/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import { boardState } from "../../lib/app/flights/http.ts";

export const handler: Handlers = { GET: () => boardState() };

/** `GET|POST /.well-known/mercure`: the Mercure hub (lib/mercure: subscribe.ts, publish.ts). @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../lib/realtime/http/context.ts";
import { subscribe } from "../../lib/mercure/subscribe.ts";
import { publishUpdate } from "../../lib/mercure/publish.ts";

export const handler: Handlers<unknown, ApiState> = {
  GET: subscribe,
  POST: publishUpdate,
};

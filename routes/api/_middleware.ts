/**
 * CORS for the API: answers preflights and adds the allowed-origin headers
 * (`HERALD_CORS_ORIGINS`; see lib/access/cors.ts).
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import { access } from "../../lib/access/mod.ts";

export function handler(req: Request, ctx: FreshContext): Promise<Response> {
  return access().cors.handle(req, () => ctx.next());
}

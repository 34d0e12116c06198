/**
 * CORS for the API: answers preflights and adds the allowed-origin headers
 * (`HERALD_CORS_ORIGINS`; see lib/access/cors.ts).
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import type { Access } from "../../lib/access/mod.ts";

export function handler(
  req: Request,
  ctx: FreshContext<{ access: Access }>,
): Promise<Response> {
  return ctx.state.access.cors.handle(req, () => ctx.next());
}

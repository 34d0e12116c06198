/**
 * What every Herald API handler receives besides the Request: the Herald
 * (broker, hub, config), the route parameters and the client address.
 *
 * @module
 */
import type { Herald } from "../herald.ts";

export interface ApiContext {
  herald: Herald;
  /** Route parameters, e.g. `{ channel: "news" }`. */
  params?: Record<string, string | undefined>;
  /** The client address, for per-IP limits in lib/access. */
  remoteAddr?: Deno.Addr;
}

/** A Herald API handler: a Web Request in, a Response out. */
export type ApiHandler = (req: Request, ctx: ApiContext) => Promise<Response>;

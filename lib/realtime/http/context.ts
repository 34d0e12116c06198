/**
 * What every Herald API handler receives besides the Request: the Herald
 * (broker, hub, config), the route parameters and the client address.
 *
 * @module
 */
import type { Principal } from "../../access/mod.ts";
import type { Herald } from "../herald.ts";
import type { PublishMessage } from "../types.ts";

/**
 * Checks an API publish before it reaches the broker (the app's channel
 * rules): returns the message to publish, or throws an HttpError naming the
 * rule (e.g. 403 for a channel only the app's own routes write).
 */
export type PublishGuard = (
  channel: string,
  message: PublishMessage,
  caller: Principal,
) => PublishMessage;

export interface ApiContext {
  herald: Herald;
  /** Route parameters, e.g. `{ channel: "news" }`. */
  params?: Record<string, string | undefined>;
  /** The client address, for per-IP limits in lib/access. */
  remoteAddr?: Deno.Addr;
  /** Consulted by every API publish; none means every channel is open. */
  publishGuard?: PublishGuard;
}

/** A Herald API handler: a Web Request in, a Response out. */
export type ApiHandler = (req: Request, ctx: ApiContext) => Promise<Response>;

/**
 * What the API handlers need from a Fresh request context (`ctx.state`: the Herald and
 * access; params; the client address), so they are plain Fresh `Handlers`.
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import type { Access, Principal } from "../../access/access.ts";
import type { Herald } from "../herald.ts";
import type { PublishMessage } from "../types.ts";
import type { IdempotencyStore } from "./idempotency.ts";
import type { Presence } from "../presence/presence.ts";

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

/** The part of `ctx.state` the API reads (put there by the app's services plugin). */
export interface ApiState {
  herald: Herald;
  access: Access;
  /** The app's shared store (same KV or Redis as the broker): idempotency keys. */
  store: IdempotencyStore;
  /** Who is on each channel (absent: streams are not counted). */
  presence?: Presence;
}

export type ApiContext = Pick<
  FreshContext<ApiState>,
  "state" | "params" | "remoteAddr"
>;

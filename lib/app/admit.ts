/**
 * Admission of the app's write routes (chat, flights): the same credential
 * rules as the publish API (lib/access: in token mode a valid token, or the
 * page's session cookie for `HERALD_SESSION_PUBLISH` channels) for the
 * channel the route writes, and the same publish rate; room creation also
 * takes from its own, smaller allowance. Refusals are the API's JSON errors.
 *
 * @example
 * ```ts
 * POST: (req, ctx) =>
 *   admitted(req, ctx, roomChannel(ctx.params.room), "publish", () =>
 *     sendMessage(ctx.state.chat, req, ctx.params.room)),
 * ```
 * @module
 */
import type { Access } from "../access/access.ts";
import { errorResponse } from "../http/error.ts";

/** What the route charges: the publish rate, also the room-creation rate, or no rate (membership upkeep). */
export type Charge = "publish" | "room" | "none";

/** The part of a route context admission reads. */
export interface AdmitContext {
  state: { access: Access };
  remoteAddr?: Deno.Addr;
}

/** Throws the API's HttpError (401/403/429) unless the caller may write `channel` now. */
export async function admit(
  req: Request,
  ctx: AdmitContext,
  channel: string,
  charge: Charge,
): Promise<void> {
  const { access } = ctx.state;
  const who = await access.authorize(req, "publish", [channel], {
    remoteAddr: ctx.remoteAddr,
  });
  // The room allowance first: a refused creation spends no publish token.
  if (charge === "room") access.checkRoomRate(who);
  if (charge !== "none") access.checkPublishRate(who);
}

/** Runs `route` once admitted; a refusal is answered as JSON, the body left unread. */
export async function admitted(
  req: Request,
  ctx: AdmitContext,
  channel: string,
  charge: Charge,
  route: () => Promise<Response>,
): Promise<Response> {
  try {
    await admit(req, ctx, channel, charge);
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    return errorResponse(err);
  }
  return await route();
}

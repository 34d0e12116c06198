/**
 * Admission of the app's routes by the API's rules (lib/access): write routes as a
 * publish to the channel they write, pages as a subscribe to what they show.
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import type { Access, Principal } from "../access/access.ts";
import { assertNotCrossSiteWrite } from "../access/origin.ts";
import type { Session } from "../access/session.ts";
import { errorResponse, HttpError } from "../http/error.ts";
import type { ChatService } from "./chat/service.ts";
import { roomChannel } from "./chat/types.ts";
import type { Flights } from "./flights/runtime.ts";
import { FLIGHTS_CHANNEL } from "./flights/types.ts";

/** What the route charges: the publish rate, also the room-creation rate, or no rate (leaving). */
export type Charge = "publish" | "room" | "none";

/** The part of a route context admission reads. */
export interface AdmitContext {
  state: { access: Access };
  remoteAddr?: Deno.Addr;
}

/** Throws the API's HttpError (401/403/429) unless the caller may write `channel` now; returns who. */
export async function admit(
  req: Request,
  ctx: AdmitContext,
  channel: string,
  charge: Charge,
): Promise<Principal> {
  const { access } = ctx.state;
  const who = await access.authorize(req, "publish", [channel], {
    remoteAddr: ctx.remoteAddr,
  });
  // The room allowance first: a refused creation spends no publish token.
  if (charge !== "none") {
    await access.checkPublishRate(who, { room: charge === "room" });
  }
  return who;
}

/** Runs `route` once admitted; a refusal is answered as JSON, the body left unread. */
export async function admitted(
  req: Request,
  ctx: AdmitContext,
  channel: string,
  charge: Charge,
  route: (who: Principal) => Promise<Response>,
): Promise<Response> {
  let who: Principal;
  try {
    who = await admit(req, ctx, channel, charge);
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    return errorResponse(err);
  }
  return await route(who);
}

/** Throws the API's HttpError (401/403) unless the caller may read every one of `channels`; returns who. */
export async function admitRead(
  req: Request,
  ctx: AdmitContext,
  channels: string[],
): Promise<Principal> {
  return await ctx.state.access.authorize(req, "subscribe", channels, {
    remoteAddr: ctx.remoteAddr,
  });
}

/** The POST handler of a room route: admitted on `chat:{room}`, then `run`. */
export function roomWrite(
  charge: Charge,
  run: (
    chat: ChatService,
    req: Request,
    room: string,
    who: Principal,
  ) => Promise<Response>,
): (
  req: Request,
  ctx: FreshContext<{ access: Access; chat: ChatService }>,
) => Promise<Response> {
  return (req, ctx) => {
    const room = ctx.params.room;
    return admitted(
      req,
      ctx,
      roomChannel(room),
      charge,
      (who) => run(ctx.state.chat, req, room, who),
    );
  };
}

/** The POST handler of a flights control: admitted on `flights`, then `run`. */
export function flightsWrite(
  run: (flights: Flights, req: Request) => Promise<Response>,
): (
  req: Request,
  ctx: FreshContext<{ access: Access; flights: Flights }>,
) => Promise<Response> {
  return (req, ctx) =>
    admitted(
      req,
      ctx,
      FLIGHTS_CHANNEL,
      "publish",
      () => run(ctx.state.flights, req),
    );
}

/**
 * A write on the caller's own session channels (the assistant): the verified
 * session cookie or a 401, cross-site writes refused, the publish rate charged
 * unless `charge` is "none".
 */
export async function admitSession(
  req: Request,
  ctx: AdmitContext,
  charge: "publish" | "none",
): Promise<Principal & { session: Session }> {
  const { access } = ctx.state;
  assertNotCrossSiteWrite(req, access.cors);
  const who = await access.authorize(req, "subscribe", [], {
    remoteAddr: ctx.remoteAddr,
  });
  if (!who.session) {
    throw new HttpError(
      401,
      "no_session",
      "This needs the page's session cookie: open the page first.",
    );
  }
  if (charge === "publish") await access.checkPublishRate(who);
  return { ...who, session: who.session };
}

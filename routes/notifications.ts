/**
 * `POST /notifications`: publish a notification with the sender's name and
 * country (see lib/app/notifications/publish.ts). `GET` goes to the page.
 *
 * @module
 */
import type { Handlers } from "$fresh/server.ts";
import type { Session } from "../lib/access/session.ts";
import { postNotification } from "../lib/app/notifications/publish.ts";

export const handler: Handlers = {
  GET: () => new Response(null, { status: 303, headers: { location: "/" } }),
  POST: (req, ctx) =>
    postNotification(req, {
      session: ctx.state.session as Session | undefined,
      remoteAddr: (ctx as { remoteAddr?: Deno.Addr }).remoteAddr,
    }),
};

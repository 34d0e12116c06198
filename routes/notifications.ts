/**
 * `POST /notifications`: publish a notification with the sender's name and
 * country (see lib/app/notifications/publish.ts). `GET` goes to the page.
 *
 * @module
 */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../lib/app/services.ts";
import { postNotification } from "../lib/app/notifications/publish.ts";

export const handler: Handlers<unknown, AppState> = {
  GET: () => new Response(null, { status: 303, headers: { location: "/" } }),
  POST: (req, ctx) =>
    postNotification(req, {
      session: ctx.state.session,
      remoteAddr: ctx.remoteAddr,
      broker: ctx.state.herald.broker,
      access: ctx.state.access,
      log: ctx.state.log,
      countryHeaders: ctx.state.config.countryHeaders,
    }),
};

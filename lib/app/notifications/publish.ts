/**
 * `POST /notifications`: the app's publish path for notifications (sender and country
 * added); JSON gets 201 or the JSON error, a plain form a 303 back to the page.
 *
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import { readFields, wantsJson } from "../../http/fields.ts";
import type { Access } from "../../access/mod.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import type { Broker } from "../../realtime/types.ts";
import { countryOf, DEFAULT_COUNTRY_HEADERS } from "./country.ts";
import {
  draftOf,
  type NotificationData,
  NOTIFICATIONS_CHANNEL,
  parseNotificationInput,
  userChannel,
} from "./notification.ts";

export interface PostContext {
  /** `ctx.state.session` of the access middleware; may be missing. */
  session?: { id: string; name: string } | null;
  remoteAddr?: Deno.Addr;
  /** The headers that may carry the sender's country (`HERALD_COUNTRY_HEADER`). */
  countryHeaders?: readonly string[];
  broker: Broker;
  access: Access;
  /** Where publishes and their failures are logged. */
  log: HeraldLog;
  /** Where a form post is sent back to; default `/`. */
  backTo?: string;
}

function back(to: string, params: Record<string, string>): Response {
  const query = new URLSearchParams(params);
  return new Response(null, {
    status: 303,
    headers: { location: `${to}?${query}${params.error ? "#publish" : ""}` },
  });
}

/** Handles one publish post (see the module doc). */
export async function postNotification(
  req: Request,
  ctx: PostContext,
): Promise<Response> {
  const json = wantsJson(req);
  let fields: Record<string, unknown> | null = null;
  try {
    fields = await readFields(req);
    const input = parseNotificationInput(fields);
    const session = ctx.session ?? null;
    if (input.to === "me" && !session) {
      throw new HttpError(
        400,
        "no_session",
        "Your browser has no session yet; reload the page and try again.",
      );
    }
    const channel = input.to === "me"
      ? userChannel(session!.id)
      : NOTIFICATIONS_CHANNEL;
    await ctx.access.admitPublish(req, [channel], {
      remoteAddr: ctx.remoteAddr,
    });
    const data: NotificationData = {
      message: input.message,
      kind: input.kind,
      sender: session?.name ?? null,
      country: countryOf(req, ctx.countryHeaders ?? DEFAULT_COUNTRY_HEADERS),
    };
    let event;
    try {
      event = await ctx.broker.publish(channel, { data });
    } catch (err) {
      ctx.log.log("error", "publish failed", { channel, error: String(err) });
      throw err;
    }
    ctx.log.log("info", "published", {
      channel,
      id: event.id,
      event: event.event,
    });
    return json
      ? Response.json({ id: event.id, channel }, { status: 201 })
      : back(ctx.backTo ?? "/", { published: event.id });
  } catch (err) {
    if (json) return errorResponse(err);
    const code = err instanceof HttpError ? err.code : "internal";
    // The typed text goes back with the error, so the form can show it again.
    return back(ctx.backTo ?? "/", { error: code, ...draftOf(fields) });
  }
}

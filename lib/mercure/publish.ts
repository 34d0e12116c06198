/**
 * `POST /.well-known/mercure`: authorize every topic, read the form, publish, answer
 * the update's id.
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import { publishEvent } from "../realtime/http/publish.ts";
import type { ApiContext } from "../realtime/http/context.ts";
import {
  digest,
  idempotencyKey,
  idempotent,
  publisherScope,
} from "../realtime/http/idempotency.ts";
import { type MercureGrant, readGrant } from "./claims.ts";
import { hubUrlOf } from "./hub_url.ts";
import { matchesAnyTopic } from "./matcher.ts";
import { principalOf } from "./principal.ts";
import { readPublishForm } from "./publish_form.ts";
import { channelOf, toMessage, type Update, updateId } from "./update.ts";

/** With an `Idempotency-Key`, a repeat answers the first id instead of publishing again. */
export async function publishUpdate(
  req: Request,
  ctx: ApiContext,
): Promise<Response> {
  const { broker, config, log } = ctx.state.herald;
  const { access, store } = ctx.state;
  const hubUrl = hubUrlOf(req);
  try {
    idempotencyKey(req); // a malformed key is refused before anything is read
    const grant = await readGrant(req, access.tokens, hubUrl);
    if (access.tokens.enabled && grant === null) {
      throw new HttpError(
        401,
        "unauthorized",
        "publishing needs a token with a mercure publish grant",
        { "www-authenticate": "Bearer" },
      );
    }
    const who = principalOf(req, access, grant, { remoteAddr: ctx.remoteAddr });
    const update = await readPublishForm(req, config.maxPayloadBytes, hubUrl);
    assertMayPublish(grant, update, access.tokens.enabled);
    const fingerprint = () => digest(["mercure", update]);
    return await idempotent(
      req,
      store,
      { scope: publisherScope(who), fingerprint },
      async (once) => {
        // Charged here: a replayed answer costs no publish allowance.
        await access.checkPublishRate(who);
        const message = { ...toMessage(update), once };
        const event = await publishEvent(
          broker,
          channelOf(update),
          message,
          log,
        );
        return new Response(updateId(event), {
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
      },
      log,
    );
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    throw err; // answered by the app's onError (lib/http/error.ts)
  }
}

function assertMayPublish(
  grant: MercureGrant | null,
  update: Update,
  tokensEnabled: boolean,
): void {
  if (!tokensEnabled) {
    if (!update.private) return;
    throw new HttpError(
      403,
      "insufficient_scope",
      "private updates need token checks (HERALD_JWT_SECRET or HERALD_JWT_PUBLIC_KEY)",
    );
  }
  const denied = update.topics.find((topic) =>
    !matchesAnyTopic(grant?.publish ?? [], [topic])
  );
  if (denied !== undefined) {
    throw new HttpError(
      403,
      "insufficient_scope",
      `this token may not publish to topic ${
        JSON.stringify(denied.slice(0, 80))
      }`,
      { "www-authenticate": `Bearer error="insufficient_scope"` },
    );
  }
}

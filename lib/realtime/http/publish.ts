/**
 * `POST /api/channels/{channel}/messages`: publish one event (JSON → 201, an HTML form
 * → 303 back to the page).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import {
  BrokerUnavailableError,
  PayloadTooLargeError,
} from "../brokers/errors.ts";
import type { HeraldLog } from "../observe.ts";
import { endSpan, type Span, startPublishSpan } from "../../metrics/tracing.ts";
import type { Broker, HeraldEvent, PublishMessage } from "../types.ts";
import type { ApiContext, PublishGuard } from "./context.ts";
import {
  digest,
  idempotencyKey,
  idempotent,
  publisherScope,
} from "./idempotency.ts";
import { readPublishBody } from "./publish_body.ts";
import { redirectTarget } from "./redirect.ts";
import { parseChannel } from "./validate.ts";

/** A broker failure as an HTTP error: 413 for an event it cannot hold, 503 while it is down. */
export function brokerError(err: unknown, broker: Broker): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof PayloadTooLargeError) {
    return new HttpError(413, "payload_too_large", err.message);
  }
  if (err instanceof BrokerUnavailableError || !broker.health().healthy) {
    return new HttpError(
      503,
      "broker_unavailable",
      `the ${broker.name} broker is unavailable; try again shortly`,
      { "retry-after": "1" },
    );
  }
  return new HttpError(500, "internal", "internal server error");
}

/** Publishes one message, logging it; broker failures become HTTP errors (413, 503). */
export async function publishEvent(
  broker: Broker,
  channel: string,
  message: PublishMessage,
  log: HeraldLog,
): Promise<HeraldEvent> {
  let event;
  try {
    event = await broker.publish(channel, message);
  } catch (err) {
    log.log("error", "publish failed", { channel, error: String(err) });
    throw brokerError(err, broker);
  }
  log.log("info", "published", {
    channel,
    id: event.id,
    event: event.event,
  });
  return event;
}

/**
 * Publishes the request's message; `guard` (the app's channel rules) may
 * refuse or rewrite it. With an `Idempotency-Key`, a repeat answers the
 * first result instead of publishing again (idempotency.ts).
 */
export async function publishMessage(
  req: Request,
  ctx: ApiContext,
  guard?: PublishGuard,
): Promise<Response> {
  const { broker, config, metrics, log } = ctx.state.herald;
  const { access, store } = ctx.state;
  const started = performance.now();
  let span: Span | undefined;
  try {
    const channel = parseChannel(ctx.params.channel);
    span = startPublishSpan(channel);
    idempotencyKey(req); // a malformed key is refused before anything is read
    const who = await access.authorize(req, "publish", [channel], {
      remoteAddr: ctx.remoteAddr,
    });
    const body = await readPublishBody(req, config.maxPayloadBytes);
    const message = { event: body.event, data: body.data };
    const checked = guard?.(channel, message, who) ?? message;
    const fingerprint = () =>
      digest(["message", channel, checked, body.form, body.redirect ?? null]);
    let eventId: string | null = null; // null: a replayed answer
    const res = await idempotent(
      req,
      store,
      { scope: publisherScope(who), fingerprint },
      async (once) => {
        // Charged here: a replayed answer costs no publish allowance.
        await access.checkPublishRate(who);
        const event = await publishEvent(
          broker,
          channel,
          { ...checked, once },
          log,
        );
        metrics?.publishDuration((performance.now() - started) / 1000);
        eventId = event.id;
        if (body.form) {
          return new Response(null, {
            status: 303,
            headers: { location: redirectTarget(req, body.redirect) },
          });
        }
        return Response.json({ id: event.id, channel }, { status: 201 });
      },
      log,
    );
    endSpan(span, {
      "http.response.status_code": res.status,
      ...(eventId
        ? { "herald.event.id": eventId }
        : { "herald.replayed": true }),
    });
    return res;
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    metrics?.publishError(status);
    if (span) endSpan(span, { "http.response.status_code": status }, err);
    await req.body?.cancel().catch(() => {});
    throw err; // answered by the app's onError (lib/http/error.ts)
  }
}

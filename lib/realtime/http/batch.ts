/**
 * `POST /api/messages`: batch publish, one result per item in order (README, HTTP API;
 * ARCHITECTURE.md, The HTTP API).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { readBodyLimited } from "../../http/body.ts";
import type { ApiContext, PublishGuard } from "./context.ts";
import {
  digest,
  idempotencyKey,
  idempotent,
  publisherScope,
} from "./idempotency.ts";
import { publishEvent } from "./publish.ts";
import { isJson, mediaType } from "./publish_body.ts";
import { parseChannel, parseEventName } from "./validate.ts";

export type BatchResult =
  | { id: string; channel: string }
  | { error: { code: string; message: string } };

export async function publishBatch(
  req: Request,
  ctx: ApiContext,
  guard?: PublishGuard,
): Promise<Response> {
  const { broker, config, log } = ctx.state.herald;
  const { access, store } = ctx.state;
  const info = { remoteAddr: ctx.remoteAddr };
  try {
    idempotencyKey(req);
    // No channel yet: checks the credentials (401 for a bad token) and the origin.
    const who = await access.authorize(req, "publish", [], info);
    const items = await readBatch(req, config.maxPayloadBytes, config.batchMax);
    const allowed = new Map<string, Promise<void>>();
    const mayPublish = (channel: string) => {
      let check = allowed.get(channel);
      if (!check) {
        check = access.authorize(req, "publish", [channel], info).then(
          () => {},
        );
        check.catch(() => {}); // awaited per item below
        allowed.set(channel, check);
      }
      return check;
    };
    return await idempotent(
      req,
      store,
      {
        scope: publisherScope(who),
        fingerprint: () => digest(["batch", items]),
      },
      async (once) => {
        const results: BatchResult[] = [];
        let retryAfter: string | null = null;
        for (const [index, item] of items.entries()) {
          try {
            const { channel, message } = parseItem(item);
            await mayPublish(channel);
            const checked = guard?.(channel, message, who) ?? message;
            await access.checkPublishRate(who);
            const event = await publishEvent(broker, channel, {
              ...checked,
              once: once && `${once}:${index}`,
            }, log);
            results.push({ id: event.id, channel });
          } catch (err) {
            const e = asHttpError(err);
            retryAfter ??= new Headers(e.headers).get("retry-after");
            results.push({ error: { code: e.code, message: e.message } });
          }
        }
        return Response.json(
          { results },
          { headers: retryAfter ? { "retry-after": retryAfter } : {} },
        );
      },
      log,
    );
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    throw err;
  }
}

function asHttpError(err: unknown): HttpError {
  return err instanceof HttpError
    ? err
    : new HttpError(500, "internal", "internal server error");
}

async function readBatch(
  req: Request,
  limit: number,
  max: number,
): Promise<unknown[]> {
  const type = mediaType(req);
  if (!isJson(type)) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(
      415,
      "unsupported_media_type",
      "a batch is a JSON array: send Content-Type: application/json",
    );
  }
  const bytes = await readBodyLimited(req, limit);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "the body is not valid JSON");
  }
  if (!Array.isArray(body) || body.length === 0) {
    throw new HttpError(
      400,
      "invalid_batch",
      'a batch is a non-empty JSON array of {"channel", "event"?, "data"}',
    );
  }
  if (body.length > max) {
    throw new HttpError(
      413,
      "batch_too_large",
      `a batch holds at most ${max} items (HERALD_BATCH_MAX), got ${body.length}`,
    );
  }
  return body;
}

function parseItem(
  item: unknown,
): { channel: string; message: { event?: string; data: unknown } } {
  if (typeof item !== "object" || item === null || Array.isArray(item)) {
    throw new HttpError(
      400,
      "invalid_item",
      'each item is an object {"channel", "event"?, "data"}',
    );
  }
  const { channel, event, data } = item as Record<string, unknown>;
  if (typeof channel !== "string") {
    throw new HttpError(400, "invalid_channel", 'the item needs a "channel"');
  }
  if (!("data" in item)) {
    throw new HttpError(400, "missing_data", 'the item needs a "data" field');
  }
  return {
    channel: parseChannel(channel),
    message: { event: parseEventName(event), data },
  };
}

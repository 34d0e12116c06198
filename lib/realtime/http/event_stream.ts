/**
 * The one implementation behind both stream endpoints: resume id, authorization,
 * stream limits, the hub, the SSE headers; never a 5xx for a passing problem.
 *
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import { encodeRetry } from "../sse/encode.ts";
import { SSE_HEADERS, sseHeaders } from "../sse/headers.ts";
import type { HeraldLog } from "../observe.ts";
import type { OpenStreamOptions, WireForm } from "../hub/hub.ts";
import type { Principal } from "../../access/access.ts";
import type { ApiContext } from "./context.ts";
import { readLastEventId } from "./validate.ts";
import { channelsToAuthorize } from "../presence/presence.ts";

/** A stream that only says when to retry, then ends. */
export function retryLaterResponse(retryMs: number): Response {
  return new Response(encodeRetry(retryMs), { headers: sseHeaders() });
}

/** Answers an error thrown while opening a stream (see the module doc). */
export function streamErrorResponse(
  err: unknown,
  retryMs: number,
  log: HeraldLog,
): Response {
  if (err instanceof HttpError && err.status < 500) return errorResponse(err);
  log.log("error", "stream not opened", { error: String(err) });
  return retryLaterResponse(retryMs);
}

export async function openEventStream(
  req: Request,
  ctx: ApiContext,
  channels: string[],
  form: WireForm,
): Promise<Response> {
  try {
    const lastEventId = readLastEventId(req);
    const who = await ctx.state.access.authorize(
      req,
      "subscribe",
      channelsToAuthorize(channels),
      {
        remoteAddr: ctx.remoteAddr,
      },
    );
    // HEAD: the answer a GET would start with, without opening a stream.
    if (req.method === "HEAD") {
      return new Response(null, { headers: sseHeaders() });
    }
    return await openStreamFor(ctx, who, { channels, form, lastEventId });
  } catch (err) {
    return streamErrorResponse(
      err,
      ctx.state.herald.config.retryMs,
      ctx.state.herald.log,
    );
  }
}

/**
 * Opens a stream for a caller already authorized (by Herald's policy or
 * another protocol's, e.g. Mercure's): counts it against the access limits,
 * opens it on the hub, and answers with the SSE headers (plus `headers`).
 */
export async function openStreamFor(
  ctx: ApiContext,
  who: Principal,
  options: OpenStreamOptions,
  headers: Record<string, string> = {},
): Promise<Response> {
  const { hub, config } = ctx.state.herald;
  let release: (() => void) | undefined;
  let untrack: (() => Promise<void>) | undefined;
  try {
    release = await ctx.state.access.acquireStream(who, options.channels);
    untrack = await ctx.state.presence?.track(options.channels, who);
    // No request.signal: Deno.serve cancels the body when the client goes
    // away, which releases the stream; listening on the signal only adds a
    // legacy-abort warning to the server log.
    const done = release;
    const gone = untrack;
    const body = await hub.open({
      ...options,
      onClose: (reason) => {
        done();
        void gone?.();
        options.onClose?.(reason);
      },
    });
    return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
  } catch (err) {
    release?.();
    void untrack?.();
    return streamErrorResponse(err, config.retryMs, ctx.state.herald.log);
  }
}

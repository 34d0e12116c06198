/**
 * `GET /api/events?channel=a&channel=b`: one SSE stream of several channels in the
 * envelope form; one `Last-Event-ID` resumes them all.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import type { ApiContext } from "./context.ts";
import { openEventStream, streamErrorResponse } from "./event_stream.ts";
import { parseChannel } from "./validate.ts";

/** The distinct, valid `channel` parameters (also accepts `channel=a,b`). */
export function channelsFromQuery(url: URL, max: number): string[] {
  const raw = url.searchParams.getAll("channel").flatMap((v) => v.split(","));
  const channels = [...new Set(raw.map((name) => parseChannel(name.trim())))];
  if (channels.length === 0) {
    throw new HttpError(
      400,
      "missing_channel",
      "give at least one ?channel= parameter",
    );
  }
  if (channels.length > max) {
    throw new HttpError(
      400,
      "too_many_channels",
      `at most ${max} channels per stream`,
    );
  }
  return channels;
}

export function streamEvents(req: Request, ctx: ApiContext): Promise<Response> {
  const { config, log } = ctx.state.herald;
  let channels: string[];
  try {
    channels = channelsFromQuery(new URL(req.url), config.maxChannelsPerStream);
  } catch (err) {
    return Promise.resolve(streamErrorResponse(err, config.retryMs, log));
  }
  return openEventStream(req, ctx, channels, "envelope");
}

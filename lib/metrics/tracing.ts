/**
 * Herald's OpenTelemetry spans (`herald.publish`, `herald.stream`), no-ops without
 * `OTEL_DENO`; attributes never carry a private channel name (README, Observability).
 *
 * @module
 */
import { type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import { channelAttribute, channelKind } from "./channel_kind.ts";

export type { Span };

const tracer = () => trace.getTracer("herald");

function channelAttributes(channels: readonly string[]) {
  const kinds = [...new Set(channels.map(channelKind))].sort();
  const names = channels.map(channelAttribute).filter((n) => n !== null);
  return {
    "herald.channel.kind": kinds.join(","),
    "herald.channel.count": channels.length,
    ...(names.length === channels.length && names.length > 0
      ? { "herald.channel": names.join(",") }
      : {}),
  };
}

/** A span for one publish to `channel`; end it with {@link endSpan}. */
export function startPublishSpan(channel: string): Span {
  return tracer().startSpan("herald.publish", {
    attributes: channelAttributes([channel]),
  });
}

/** A span for a stream's life; end it with {@link endSpan} when it closes. */
export function startStreamSpan(
  channels: readonly string[],
  endpoint: string,
  resume: boolean,
): Span {
  return tracer().startSpan("herald.stream", {
    attributes: {
      ...channelAttributes(channels),
      "herald.stream.endpoint": endpoint,
      "herald.stream.resume": resume,
    },
  });
}

/** Ends `span` with `attributes`; an `error` marks it failed (its kind only, never its text). */
export function endSpan(
  span: Span,
  attributes: Record<string, string | number | boolean> = {},
  error?: unknown,
): void {
  span.setAttributes(attributes);
  if (error !== undefined) {
    span.setStatus({
      code: SpanStatusCode.ERROR,
      message: error instanceof Error ? error.name : "error",
    });
  }
  span.end();
}

/**
 * Rewrites the runtime's span of the current request (Deno.serve's) so it
 * names the route pattern instead of the URL: no channel name, no query.
 */
export function nameRequestSpan(req: Request, route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  const url = new URL(req.url);
  const path = route || "(no route)";
  span.updateName(`${req.method} ${path}`);
  span.setAttributes({
    "http.route": path,
    "url.path": path,
    "url.full": `${url.origin}${path}`,
    "url.query": "",
  });
}

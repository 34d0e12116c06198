/**
 * Browser-side helpers for islands: the page's shared event stream.
 *
 * - {@link useEventStream}: subscribe an island to channels (the usual entry).
 * - {@link pageStream}: the page's one stream (`status`, `lastEventId` signals).
 * - {@link Connection}: one self-healing EventSource, for single-purpose streams.
 * - {@link fetchHistory}: a channel's history, to reload state after a gap.
 * - {@link SubscriptionCursor}, {@link readSince}: how a subscription with
 *   `since` catches up (used by the page stream).
 *
 * @example
 * ```tsx
 * import { useEventStream } from "../lib/client/mod.ts";
 * const { status } = useEventStream({ channels: ["room:lobby"], onEvent: add });
 * ```
 * @module
 */
export { useEventStream } from "./hook.ts";
export { PageStream, pageStream, type Subscription } from "./stream.ts";
export {
  Connection,
  type ConnectionOptions,
  type StreamRecord,
  type StreamStatus,
} from "./connection.ts";
export { backoffDelay, type BackoffOptions } from "./backoff.ts";
export { SubscriptionCursor } from "./cursor.ts";
export { CATCH_UP_LIMIT, type HistoryReader, readSince } from "./catch_up.ts";
export { ChannelSet, eventsUrl } from "./channels.ts";
export { fetchHistory, type HistoryQuery } from "./history.ts";

/**
 * Browser-side helpers for islands: the page's shared event stream
 * ({@link useEventStream}), one self-healing {@link Connection}, history reads.
 *
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

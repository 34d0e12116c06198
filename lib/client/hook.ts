/**
 * `useEventStream`: an island's way into the page's one event stream; pass the `since`
 * the server rendered at, and the island gets every later event once.
 *
 * @example
 * ```tsx
 * const { status } = useEventStream({ channels: ["notifications"], since, onEvent: add, onGap: reload });
 * ```
 *
 * @module
 */
import { useEffect, useRef } from "preact/hooks";
import { type PageStream, pageStream, type Subscription } from "./stream.ts";

/**
 * Subscribes the island for its lifetime and follows changes of its channel
 * list; the handlers may be new closures on every render (the latest are
 * called). Returns the page stream (`status`, `lastEventId` signals).
 */
export function useEventStream(sub: Subscription): PageStream {
  const latest = useRef(sub);
  latest.current = sub;
  const stream = pageStream();
  const key = JSON.stringify([sub.channels, sub.events ?? null]);
  useEffect(
    () =>
      stream.subscribe({
        channels: sub.channels,
        events: sub.events,
        since: sub.since,
        onEvent: (e) => latest.current.onEvent(e),
        onGap: () => latest.current.onGap?.(),
        onError: latest.current.onError &&
          ((message) => latest.current.onError?.(message)),
      }),
    [key],
  );
  return stream;
}

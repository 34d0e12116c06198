/**
 * `useEventStream`: an island's way into the page's one event stream
 * ({@link PageStream}). Subscribes when the island mounts, follows changes of
 * its channel list, and unsubscribes when it unmounts. The handlers may be
 * new closures on every render; the latest ones are called.
 *
 * Give it the `since` the server rendered the island's state at (the broker
 * head read before that state): the island then gets every event after it,
 * none lost between the render and the stream opening, none twice.
 *
 * @example
 * ```tsx
 * export default function Feed(
 *   { initial, since }: { initial: HeraldEvent[]; since: string },
 * ) {
 *   const items = useSignal(initial);
 *   const { status } = useEventStream({
 *     channels: ["notifications"],
 *     since,
 *     onEvent: (e) => (items.value = [e, ...items.value]),
 *     onGap: async () => (items.value = await refetch()),
 *   });
 *   return <p>{status}</p>;
 * }
 * ```
 * @module
 */
import { useEffect, useRef } from "preact/hooks";
import { type PageStream, pageStream, type Subscription } from "./stream.ts";

/** Subscribes the island for its lifetime; returns the page stream (`status`, `lastEventId` signals). */
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
      }),
    [key],
  );
  return stream;
}

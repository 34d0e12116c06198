/**
 * `useResyncOnOpen`: calls `resync` each time the page stream becomes open
 * (the first time and after every reconnect), so what happened between the
 * server render and the stream opening, or while it was down, is fetched.
 * Used by the chat and flights islands; a candidate for lib/client.
 *
 * @example
 * ```ts
 * const stream = useEventStream({ channels, onEvent, onGap: resync });
 * useResyncOnOpen(stream, resync);
 * ```
 * @module
 */
import { useEffect, useRef } from "preact/hooks";
import type { PageStream } from "../../client/stream.ts";

export function useResyncOnOpen(stream: PageStream, resync: () => void): void {
  const status = stream.status.value;
  const wasOpen = useRef(false);
  useEffect(() => {
    if (status === "open" && !wasOpen.current) resync();
    wasOpen.current = status === "open";
  }, [status]);
}

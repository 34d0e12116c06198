/**
 * A live list of one channel's notifications, newest first, from the server-rendered
 * history on (`since`); reloads after a gap; new items appear in a `role="log"` region.
 * Side by side (md and up) the box has a fixed height, so an arrival moves nothing;
 * stacked on a phone it is only as tall as its items, so an empty one takes one line.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { NotificationCard } from "../components/NotificationCard.tsx";
import { useEventStream } from "../lib/client/hook.ts";
import { fetchHistory } from "../lib/client/history.ts";
import {
  type Notification,
  toNotification,
} from "../lib/app/notifications/notification.ts";

/** Most items a feed keeps; older ones drop off the end. */
const KEEP = 100;

export interface NotificationFeedProps {
  channel: string;
  title: string;
  initial: Notification[];
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
  /** What to say when the feed is empty. */
  empty: string;
  /** Rendered as `data-user-id` (the private feed's owner). */
  userId?: string;
}

async function fetchLatest(channel: string): Promise<Notification[]> {
  return (await fetchHistory(channel)).map(toNotification).reverse();
}

export default function NotificationFeed(props: NotificationFeedProps) {
  const [items, setItems] = useState(props.initial);
  const [local, setLocal] = useState(false);
  useEffect(() => setLocal(true), []);
  const id = `feed-${props.channel.replace(/[^a-z0-9]/gi, "-")}`;

  useEventStream({
    channels: [props.channel],
    since: props.since,
    onEvent: (e) => {
      const item = toNotification(e);
      setItems((list) =>
        list.some((i) => i.id === item.id)
          ? list
          : [item, ...list].slice(0, KEEP)
      );
    },
    onGap: () => {
      fetchLatest(props.channel).then(setItems, console.error);
    },
  });

  return (
    <section aria-labelledby={`${id}-title`} class="min-w-0">
      <h2 id={`${id}-title`} class="mb-2 text-lg font-semibold">
        {props.title}
      </h2>
      <div
        role="log"
        aria-labelledby={`${id}-title`}
        tabIndex={0}
        data-channel={props.channel}
        data-user-id={props.userId}
        class="max-h-96 overflow-y-auto md:h-96 rounded-lg border border-slate-200 bg-slate-100 p-2 focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        {items.length === 0
          ? <p class="p-2 text-sm text-slate-600">{props.empty}</p>
          : (
            <ol class="space-y-2">
              {items.map((item) => (
                <NotificationCard key={item.id} item={item} local={local} />
              ))}
            </ol>
          )}
      </div>
    </section>
  );
}

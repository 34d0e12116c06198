/**
 * What the notifications page renders on the server: the latest public and private
 * notifications, a form outcome, and the `since` its islands stream from.
 *
 * @module
 */
import type { Broker } from "../../realtime/types.ts";
import { readHistoryPage } from "../../realtime/history/reader.ts";
import { renderSince } from "../page/since.ts";
import {
  draftOf,
  type Notification,
  type NotificationDraft,
  NOTIFICATIONS_CHANNEL,
  toNotification,
  userChannel,
} from "./notification.ts";

/** How many notifications the page shows from history. */
export const PAGE_SIZE = 50;

export interface NotificationsPageData {
  publicFeed: Notification[];
  privateFeed: Notification[];
  /** The broker head read before the feeds: the islands get every event after it. */
  since: string;
  userId: string | null;
  userName: string | null;
  /** The error code of a failed no-JS post (`?error=`). */
  error: string | null;
  /** What that post had typed, to show again. */
  draft: NotificationDraft | null;
  /** True right after a successful no-JS post (`?published=`). */
  published: boolean;
}

/** The newest `limit` notifications of `channel`, newest first. */
export async function latestNotifications(
  broker: Broker,
  channel: string,
  limit = PAGE_SIZE,
): Promise<Notification[]> {
  // Bounded in bytes as well: a few huge notifications cannot bloat the page.
  const { events } = await readHistoryPage(broker, channel, { limit });
  return events.map(toNotification).reverse();
}

export async function loadNotificationsPage(
  url: URL,
  session: { id: string; name: string } | null | undefined,
  b: Broker,
): Promise<NotificationsPageData> {
  const since = await renderSince(b); // before the feeds: see page/since.ts
  const [publicFeed, privateFeed] = await Promise.all([
    latestNotifications(b, NOTIFICATIONS_CHANNEL),
    session ? latestNotifications(b, userChannel(session.id)) : [],
  ]);
  return {
    publicFeed,
    privateFeed,
    since,
    userId: session?.id ?? null,
    userName: session?.name ?? null,
    error: url.searchParams.get("error"),
    draft: url.searchParams.has("error") ? draftOf(url.searchParams) : null,
    published: url.searchParams.has("published"),
  };
}

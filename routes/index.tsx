/**
 * Notifications (`/`): the publish form and the public and private feeds,
 * server-rendered from history and kept live by the islands from `since`.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import ConnectionBadge from "../islands/ConnectionBadge.tsx";
import NotificationFeed from "../islands/NotificationFeed.tsx";
import NotificationToasts from "../islands/NotificationToasts.tsx";
import PublishForm from "../islands/PublishForm.tsx";
import {
  NOTIFICATIONS_CHANNEL,
  userChannel,
} from "../lib/app/notifications/notification.ts";
import {
  loadNotificationsPage,
  type NotificationsPageData,
} from "../lib/app/notifications/page.ts";
import type { AppState } from "../lib/app/services.ts";
import { admitRead } from "../lib/app/admit.ts";

interface PageData extends NotificationsPageData {
  toastMs: number;
}

export const handler: Handlers<PageData, AppState> = {
  async GET(req, ctx) {
    // The public feed; the visitor's own `user:` feed is theirs by their session.
    await admitRead(req, ctx, [NOTIFICATIONS_CHANNEL]);
    const { session, herald, config } = ctx.state;
    return ctx.render({
      ...await loadNotificationsPage(new URL(req.url), session, herald.broker),
      toastMs: config.toastMs,
    });
  },
};

export default function NotificationsPage({ data }: PageProps<PageData>) {
  const own = data.userId ? userChannel(data.userId) : null;
  return (
    <>
      <Head>
        <title>Notifications · Herald</title>
      </Head>
      <PageHeader
        title="Notifications"
        description={data.userName
          ? `Publish to everyone watching this page. You are ${data.userName}.`
          : "Publish to everyone watching this page."}
      >
        <ConnectionBadge />
      </PageHeader>
      <div class="grid gap-6 md:grid-cols-2">
        <div class="md:col-span-2">
          <PublishForm
            error={data.error}
            draft={data.draft}
            published={data.published}
            canSendToSelf={Boolean(own)}
          />
        </div>
        <NotificationFeed
          channel={NOTIFICATIONS_CHANNEL}
          title="Everyone"
          initial={data.publicFeed}
          since={data.since}
          empty="No notifications yet. Publish the first one."
        />
        {own && (
          <NotificationFeed
            channel={own}
            title="Only you"
            initial={data.privateFeed}
            since={data.since}
            empty="Nothing for you yet. Send one to “Only me”."
            userId={data.userId!}
          />
        )}
      </div>
      <NotificationToasts
        channels={own ? [NOTIFICATIONS_CHANNEL, own] : [NOTIFICATIONS_CHANNEL]}
        since={data.since}
        durationMs={data.toastMs}
      />
    </>
  );
}

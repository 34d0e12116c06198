/**
 * Logs (`/logs`): Herald's own events as they happen, published by the log relay
 * (lib/app/logs/relay.ts).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import ConnectionBadge from "../islands/ConnectionBadge.tsx";
import LogView from "../islands/LogView.tsx";
import { loadLogsPage, type LogsPageData } from "../lib/app/logs/page.ts";
import type { AppState } from "../lib/app/services.ts";
import { admitRead } from "../lib/app/admit.ts";
import { LOG_CHANNEL } from "../lib/app/logs/entry.ts";

export const handler: Handlers<LogsPageData, AppState> = {
  async GET(req, ctx) {
    await admitRead(req, ctx, [LOG_CHANNEL]);
    return ctx.render(await loadLogsPage(ctx.state.herald.broker));
  },
};

export default function LogsPage({ data }: PageProps<LogsPageData>) {
  return (
    <>
      <Head>
        <title>Logs · Herald</title>
      </Head>
      <PageHeader
        title="Logs"
        description="Herald's own events, live: streams, publishes and errors."
      >
        <ConnectionBadge />
      </PageHeader>
      <LogView initial={data.entries} since={data.since} />
    </>
  );
}

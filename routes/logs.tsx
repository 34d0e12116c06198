/**
 * Logs (`/logs`): Herald's own events (streams opened and closed, publishes,
 * errors) as they happen. Importing this route starts the process's log
 * relay, so records are published from the start, not from the first visit.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../components/PageHeader.tsx";
import ConnectionBadge from "../islands/ConnectionBadge.tsx";
import LogView from "../islands/LogView.tsx";
import { loadLogsPage, type LogsPageData } from "../lib/app/logs/page.ts";
import { startLogRelay } from "../lib/app/logs/relay.ts";

startLogRelay();

export const handler: Handlers<LogsPageData> = {
  async GET(_req, ctx) {
    return ctx.render(await loadLogsPage());
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

/**
 * The assistant (`/assistant`): the session's earlier answers and the one being
 * written, server-rendered as far as it got, then kept live by the island from
 * `since` (lib/app/assistant/).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import ConnectionBadge from "../../islands/ConnectionBadge.tsx";
import AssistantChat from "../../islands/Assistant.tsx";
import { renderSince } from "../../lib/app/page/since.ts";
import type { AppState } from "../../lib/app/services.ts";
import type { AssistantState } from "../../lib/app/assistant/types.ts";

interface AssistantPageData {
  state: AssistantState;
  /** The broker head read before `state`: the island gets every event after it. */
  since: string;
  sessionId: string;
}

export const handler: Handlers<AssistantPageData, AppState> = {
  async GET(_req, ctx) {
    // Every page visit has a session (routes/_middleware.ts); its channels are its own.
    const sessionId = ctx.state.session!.id;
    const { assistant, herald } = ctx.state;
    const since = await renderSince(herald.broker); // before the state: see page/since.ts
    const state = await assistant.service.state(sessionId);
    return ctx.render({ state, since, sessionId });
  },
};

export default function AssistantPage(
  { data }: PageProps<AssistantPageData>,
) {
  return (
    <>
      <Head>
        <title>Assistant · Herald</title>
      </Head>
      <PageHeader
        title="Assistant"
        description="Ask a question; the answer streams in word by word. It comes from a small Markov chain over Alice's Adventures in Wonderland, so expect nonsense."
      >
        <ConnectionBadge />
      </PageHeader>
      <AssistantChat
        initial={data.state}
        since={data.since}
        sessionId={data.sessionId}
      />
    </>
  );
}

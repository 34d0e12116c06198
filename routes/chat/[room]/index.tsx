/**
 * One chat room (`/chat/{room}`): server-rendered with its recent log and members
 * (readable without JavaScript), then kept live by the island from `since`.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../../components/PageHeader.tsx";
import ConnectionBadge from "../../../islands/ConnectionBadge.tsx";
import ChatRoom from "../../../islands/ChatRoom.tsx";
import { renderSince } from "../../../lib/app/page/since.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomChannel, type RoomState } from "../../../lib/app/chat/types.ts";
import { admitRead } from "../../../lib/app/admit.ts";
import { ROOM_NAME_MAX } from "../../../lib/app/chat/validate.ts";

interface RoomPageData {
  state: RoomState;
  /** The broker head read before `state`: the room gets every event after it. */
  since: string;
  suggestedName: string;
  heartbeatMs: number;
}

const ROOM_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${ROOM_NAME_MAX - 1}}$`);

export const handler: Handlers<RoomPageData, AppState> = {
  async GET(req, ctx) {
    const room = ctx.params.room;
    if (!ROOM_PATTERN.test(room)) return ctx.renderNotFound();
    await admitRead(req, ctx, [roomChannel(room)]);
    const { chat, herald } = ctx.state;
    const since = await renderSince(herald.broker); // before the state: see page/since.ts
    const state = await chat.state(room);
    if (!state) return ctx.renderNotFound();
    const session = ctx.state.session;
    return ctx.render({
      state,
      since,
      suggestedName: session?.name ?? "",
      // Three heartbeats per member TTL: one lost request does not drop a member.
      heartbeatMs: Math.floor(chat.memberTtlMs / 3),
    });
  },
};

export default function ChatRoomPage({ data }: PageProps<RoomPageData>) {
  const { state } = data;
  return (
    <>
      <Head>
        <title>#{state.room} · Chat · Herald</title>
      </Head>
      <p class="mb-2 text-sm">
        <a
          href="/chat"
          class="text-sky-800 underline hover:text-sky-900 focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          ← All rooms
        </a>
      </p>
      <PageHeader title={`#${state.room}`}>
        <ConnectionBadge />
      </PageHeader>
      <ChatRoom
        initial={state}
        since={data.since}
        suggestedName={data.suggestedName}
        heartbeatMs={data.heartbeatMs}
      />
    </>
  );
}

/**
 * One chat room (`/chat/{room}`): server-rendered with its recent log and members
 * (readable without JavaScript), then kept live by the island from `since`. An
 * unknown or expired room answers 404 with a way back to the rooms.
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../../components/PageHeader.tsx";
import { RoomNotFound } from "../../../components/chat/RoomNotFound.tsx";
import ConnectionBadge from "../../../islands/ConnectionBadge.tsx";
import ChatRoom from "../../../islands/ChatRoom.tsx";
import { renderSince } from "../../../lib/app/page/since.ts";
import type { AppState } from "../../../lib/app/services.ts";
import { roomChannel, type RoomState } from "../../../lib/app/chat/types.ts";
import { admitRead } from "../../../lib/app/admit.ts";
import { ROOM_NAME_MAX } from "../../../lib/app/chat/validate.ts";
import { presenceIdentity } from "../../../lib/realtime/presence/presence.ts";

type RoomPageData =
  | {
    state: RoomState;
    /** The broker head read before `state`: the room gets every event after it. */
    since: string;
    suggestedName: string;
    /** Who this page is as a member (its session): `join`/`leave` events name it. */
    user?: string;
  }
  | { missing: string };

const ROOM_PATTERN = new RegExp(`^[a-z0-9][a-z0-9-]{0,${ROOM_NAME_MAX - 1}}$`);

export const handler: Handlers<RoomPageData, AppState> = {
  async GET(req, ctx) {
    const room = ctx.params.room;
    if (!ROOM_PATTERN.test(room)) {
      return ctx.render({ missing: room }, { status: 404 });
    }
    const who = await admitRead(req, ctx, [roomChannel(room)]);
    const { chat, herald, session } = ctx.state;
    // A first visit's session is the one this answer's cookie carries.
    const user = presenceIdentity(who)?.user ?? session?.id;
    const since = await renderSince(herald.broker); // before the state: see page/since.ts
    const state = await chat.state(room, user);
    if (!state) return ctx.render({ missing: room }, { status: 404 });
    return ctx.render({
      state,
      since,
      suggestedName: session?.name ?? "",
      ...(user ? { user } : {}),
    });
  },
};

export default function ChatRoomPage({ data }: PageProps<RoomPageData>) {
  if ("missing" in data) return <RoomNotFound room={data.missing} />;
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
        user={data.user}
      />
    </>
  );
}

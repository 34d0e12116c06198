/**
 * Chat rooms (`/chat`): the live room list and the create form; `POST /chat` creates a
 * room (JSON from the island, or a plain form: 303 to the room, or the page again).
 *
 * @module
 */
import { Head } from "$fresh/runtime.ts";
import type { Handlers, PageProps } from "$fresh/server.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import ConnectionBadge from "../../islands/ConnectionBadge.tsx";
import ChatLobby from "../../islands/ChatLobby.tsx";
import { errorResponse, HttpError } from "../../lib/http/error.ts";
import { readFields, wantsJson } from "../../lib/http/fields.ts";
import { chatHttpError, createRoomJson } from "../../lib/app/chat/http.ts";
import { validRoomName } from "../../lib/app/chat/validate.ts";
import { renderSince } from "../../lib/app/page/since.ts";
import type { AppState } from "../../lib/app/services.ts";
import { type Room, ROOMS_CHANNEL } from "../../lib/app/chat/types.ts";
import { admit, admitRead, admitted } from "../../lib/app/admit.ts";

interface LobbyData {
  rooms: Room[];
  /** The broker head read before `rooms`: the lobby gets every room created after it. */
  since: string;
  error?: { message: string; value: string };
}

export const handler: Handlers<LobbyData, AppState> = {
  async GET(req, ctx) {
    await admitRead(req, ctx, [ROOMS_CHANNEL]);
    const { chat, herald } = ctx.state;
    const since = await renderSince(herald.broker); // before the rooms: see page/since.ts
    const rooms = await chat.listRooms();
    return ctx.render({ rooms, since });
  },
  async POST(req, ctx) {
    const { chat, herald, session } = ctx.state;
    if (wantsJson(req)) {
      return admitted(
        req,
        ctx,
        ROOMS_CHANNEL,
        "room",
        () => createRoomJson(chat, req, session?.name),
      );
    }
    let value = "";
    try {
      await admit(req, ctx, ROOMS_CHANNEL, "room");
      const fields = await readFields(req);
      value = typeof fields.room === "string" ? fields.room : "";
      const room = await chat.createRoom(
        validRoomName(value),
        session?.name,
      );
      return new Response(null, {
        status: 303,
        headers: { location: `/chat/${room.name}` },
      });
    } catch (caught) {
      const err = chatHttpError(caught);
      if (!(err instanceof HttpError) || err.status >= 500) {
        return errorResponse(err);
      }
      const since = await renderSince(herald.broker);
      const rooms = await chat.listRooms();
      return ctx.render({
        rooms,
        since,
        error: { message: err.message, value },
      }, {
        status: err.status,
      });
    }
  },
};

export default function ChatRoomsPage({ data }: PageProps<LobbyData>) {
  return (
    <>
      <Head>
        <title>Chat rooms · Herald</title>
      </Head>
      <PageHeader
        title="Chat rooms"
        description="Open a room to read along, or create your own."
      >
        <ConnectionBadge />
      </PageHeader>
      <ChatLobby
        initialRooms={data.rooms}
        since={data.since}
        error={data.error}
      />
    </>
  );
}

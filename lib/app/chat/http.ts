/**
 * The chat's HTTP answers, shared by the thin route files under
 * routes/chat/. Islands post JSON and get JSON (errors as
 * `{"error": {"code", "message"}}` from lib/http/error.ts); the room list's
 * create form also works without JavaScript (303 to the new room, or the
 * page again with the error).
 *
 * | route | body | answer |
 * |---|---|---|
 * | `POST /chat` | `{room}` | 201 `{room, url}` · 400 · 409 `room_exists` |
 * | `POST /chat/{room}/join` | `{username, memberId?}` | 201 `{room, username, memberId, seat, members}` · 400 · 404 · 409 `username_taken` |
 * | `POST /chat/{room}/leave` | `{username, memberId}` | 204 (also from `sendBeacon`) |
 * | `POST /chat/{room}/heartbeat` | `{username, memberId}` | 200 `{members}` · 409 when the name was taken meanwhile |
 * | `POST /chat/{room}/messages` | `{username, memberId, text}` | 201 `{id}` · 400 · 403 `not_a_member` |
 * | `GET /chat/{room}/state` | | 200 {@link RoomState} · 404 |
 *
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import { readFields } from "./fields.ts";
import { getChat } from "./runtime.ts";
import { validRoomName } from "./validate.ts";

/** Runs `fn`, answering any thrown error with its JSON. */
export async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof HttpError)) console.error("chat:", err);
    return errorResponse(err);
  }
}

export function createRoomJson(req: Request, createdBy?: string) {
  return answer(async () => {
    const fields = await readFields(req);
    const room = await (await getChat()).createRoom(fields.room, createdBy);
    return Response.json(
      { room: room.name, url: `/chat/${room.name}` },
      { status: 201 },
    );
  });
}

export function joinRoom(req: Request, room: string) {
  return answer(async () => {
    const f = await readFields(req);
    const memberId = typeof f.memberId === "string" ? f.memberId : undefined;
    const joined = await (await getChat()).join(room, f.username, memberId);
    return Response.json(joined, { status: 201 });
  });
}

export function leaveRoom(req: Request, room: string) {
  return answer(async () => {
    const f = await readFields(req);
    await (await getChat()).leave(room, f.username, f.memberId, f.seat);
    return new Response(null, { status: 204 });
  });
}

export function heartbeat(req: Request, room: string) {
  return answer(async () => {
    const f = await readFields(req);
    const members = await (await getChat()).heartbeat(
      room,
      f.username,
      f.memberId,
      f.seat,
    );
    return Response.json({ members });
  });
}

export function sendMessage(req: Request, room: string) {
  return answer(async () => {
    const f = await readFields(req);
    const event = await (await getChat()).send(
      room,
      f.username,
      f.memberId,
      f.text,
    );
    return Response.json({ id: event.id }, { status: 201 });
  });
}

export function roomState(room: string) {
  return answer(async () => {
    const state = await (await getChat()).state(validRoomName(room));
    if (!state) {
      throw new HttpError(404, "room_not_found", `No room named “${room}”.`);
    }
    return Response.json(state, {
      headers: { "cache-control": "no-store" },
    });
  });
}

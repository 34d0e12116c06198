/**
 * The chat's HTTP answers for the thin route files under routes/chat/, and the one
 * place where chat errors become HTTP statuses.
 *
 * @module
 */
import { errorResponse, HttpError } from "../../http/error.ts";
import {
  ChatError,
  InvalidInput,
  NameTaken,
  NoIdentity,
  NotAMember,
  RoomExists,
  RoomNotFound,
} from "./errors.ts";
import type { Principal } from "../../access/access.ts";
import { presenceIdentity } from "../../realtime/presence/presence.ts";
import { readFields } from "../../http/fields.ts";
import type { ChatService } from "./service.ts";
import {
  parseJoin,
  parseMember,
  parseMessage,
  validRoomName,
} from "./validate.ts";

/** The one mapping of chat errors to HTTP answers, with the words a person reads. */
export function chatHttpError(err: unknown): unknown {
  if (!(err instanceof ChatError)) return err;
  if (err instanceof InvalidInput) {
    return new HttpError(400, `invalid_${err.field}`, err.message);
  }
  if (err instanceof RoomExists) {
    return new HttpError(
      409,
      "room_exists",
      `A room named “${err.room}” already exists. Pick another name, or open it from the list.`,
    );
  }
  if (err instanceof RoomNotFound) {
    return new HttpError(404, "room_not_found", `No room named “${err.room}”.`);
  }
  if (err instanceof NameTaken) {
    return new HttpError(
      409,
      "username_taken",
      `The name “${err.username}” is taken in this room (or one that looks the same). Choose another one.`,
    );
  }
  if (err instanceof NoIdentity) {
    return new HttpError(
      401,
      "no_identity",
      "Open the room's page first (it gives your browser a session), or send a token with a sub.",
    );
  }
  if (err instanceof NotAMember) {
    return new HttpError(
      403,
      "not_a_member",
      "Join the room before sending messages.",
    );
  }
  return new HttpError(400, "chat_error", err.message);
}

/** Runs `fn`, answering any thrown error with its JSON. */
export async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    const mapped = chatHttpError(err);
    if (!(mapped instanceof HttpError)) console.error("chat:", err);
    return errorResponse(mapped);
  }
}

export function createRoomJson(
  chat: ChatService,
  req: Request,
  createdBy?: string,
) {
  return answer(async () => {
    const fields = await readFields(req);
    const room = await chat.createRoom(
      validRoomName(fields.room),
      createdBy,
    );
    return Response.json(
      { room: room.name, url: `/chat/${room.name}` },
      { status: 201 },
    );
  });
}

/**
 * Who a member is: the identity presence counts their streams under (the
 * page's session, or a token's `sub`), so a reload or a second tab is the
 * same member; {@link NoIdentity} without one.
 */
export function memberIdentity(who: Principal): string {
  const id = presenceIdentity(who);
  if (!id) throw new NoIdentity();
  return id.user;
}

export function joinRoom(
  chat: ChatService,
  req: Request,
  room: string,
  who: Principal,
) {
  return answer(async () => {
    const fields = await readFields(req);
    const input = parseJoin(room, memberIdentity(who), fields);
    const joined = await chat.join(input);
    return Response.json(joined, { status: 201 });
  });
}

export function leaveRoom(
  chat: ChatService,
  req: Request,
  room: string,
  who: Principal,
) {
  return answer(async () => {
    await req.body?.cancel();
    await chat.leave(parseMember(room, memberIdentity(who)));
    return new Response(null, { status: 204 });
  });
}

export function sendMessage(
  chat: ChatService,
  req: Request,
  room: string,
  who: Principal,
) {
  return answer(async () => {
    const fields = await readFields(req);
    const input = parseMessage(room, memberIdentity(who), fields);
    const event = await chat.send(input);
    return Response.json({ id: event.id }, { status: 201 });
  });
}

/** The room as the page shows it; `me` when `who` holds a name in it. */
export function roomState(chat: ChatService, room: string, who: Principal) {
  return answer(async () => {
    const name = validRoomName(room);
    const state = await chat.state(name, presenceIdentity(who)?.user);
    if (!state) throw new RoomNotFound(name);
    return Response.json(state, {
      headers: { "cache-control": "no-store" },
    });
  });
}

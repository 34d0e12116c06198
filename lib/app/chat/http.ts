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
  NotAMember,
  RoomExists,
  RoomNotFound,
} from "./errors.ts";
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

export function joinRoom(
  chat: ChatService,
  req: Request,
  room: string,
) {
  return answer(async () => {
    const input = parseJoin(room, await readFields(req));
    const joined = await chat.join(input);
    return Response.json(joined, { status: 201 });
  });
}

export function leaveRoom(
  chat: ChatService,
  req: Request,
  room: string,
) {
  return answer(async () => {
    const input = parseMember(room, await readFields(req));
    await chat.leave(input);
    return new Response(null, { status: 204 });
  });
}

export function heartbeat(
  chat: ChatService,
  req: Request,
  room: string,
) {
  return answer(async () => {
    const input = parseMember(room, await readFields(req));
    const members = await chat.heartbeat(input);
    return Response.json({ members });
  });
}

export function sendMessage(
  chat: ChatService,
  req: Request,
  room: string,
) {
  return answer(async () => {
    const input = parseMessage(room, await readFields(req));
    const event = await chat.send(input);
    return Response.json({ id: event.id }, { status: 201 });
  });
}

export function roomState(chat: ChatService, room: string) {
  return answer(async () => {
    const name = validRoomName(room);
    const state = await chat.state(name);
    if (!state) throw new RoomNotFound(name);
    return Response.json(state, {
      headers: { "cache-control": "no-store" },
    });
  });
}

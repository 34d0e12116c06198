/**
 * Input rules of the chat (room names, usernames, messages), with messages a person can
 * act on; the `parse…` functions turn a posted form into the service's typed inputs.
 *
 * @module
 */
import { InvalidInput } from "./errors.ts";
import {
  MESSAGE_MAX,
  ROOM_NAME,
  ROOM_NAME_MAX,
  USERNAME_MAX,
} from "./lines.ts";
import type { JoinInput, MemberInput, MessageInput } from "./service.ts";

export { MESSAGE_MAX, ROOM_NAME_MAX, USERNAME_MAX };
const USERNAME = /^[\p{L}\p{N}_.\- ]+$/u;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function validRoomName(value: unknown): string {
  const name = text(value).trim().toLowerCase();
  if (!name) throw new InvalidInput("room", "Enter a room name.");
  if (name.length > ROOM_NAME_MAX) {
    throw new InvalidInput(
      "room",
      `Room names are at most ${ROOM_NAME_MAX} characters.`,
    );
  }
  if (!ROOM_NAME.test(name)) {
    throw new InvalidInput(
      "room",
      "Room names use lowercase letters, digits and hyphens, and start with a letter or digit (e.g. team-standup).",
    );
  }
  return name;
}

export function validUsername(value: unknown): string {
  const name = text(value).normalize("NFKC").trim().replace(/\s+/g, " ");
  if (!name) throw new InvalidInput("username", "Enter a username.");
  if ([...name].length > USERNAME_MAX) {
    throw new InvalidInput(
      "username",
      `Usernames are at most ${USERNAME_MAX} characters.`,
    );
  }
  if (!USERNAME.test(name)) {
    throw new InvalidInput(
      "username",
      "Usernames use letters, digits, spaces, dots, hyphens and underscores.",
    );
  }
  return name;
}

export function validMessage(value: unknown): string {
  const message = text(value).trim();
  if (!message) throw new InvalidInput("message", "Write a message first.");
  if ([...message].length > MESSAGE_MAX) {
    throw new InvalidInput(
      "message",
      `Messages are at most ${MESSAGE_MAX} characters.`,
    );
  }
  return message;
}

/** `{username}` of a join by `user` (the caller's identity, from the edge). */
export function parseJoin(
  room: string,
  user: string,
  fields: Record<string, unknown>,
): JoinInput {
  return {
    room: validRoomName(room),
    username: validUsername(fields.username),
    user,
  };
}

/** The member `user` in `room` (a leave: no fields). */
export function parseMember(room: string, user: string): MemberInput {
  return { room: validRoomName(room), user };
}

/** `{text}`: a message from the member `user`. */
export function parseMessage(
  room: string,
  user: string,
  fields: Record<string, unknown>,
): MessageInput {
  return { ...parseMember(room, user), text: validMessage(fields.text) };
}

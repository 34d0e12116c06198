/**
 * Input rules of the chat rooms, with messages a person can act on. Each
 * function returns the normalised value or throws an {@link HttpError} 400.
 *
 * - Room names: 1–40 lowercase letters, digits and hyphens, starting with a
 *   letter or digit (they appear in URLs and in the channel `chat:{room}`).
 *   Input is trimmed and lowercased first, so "Lobby" is the room "lobby".
 * - Usernames: 1–24 characters: letters (any script), digits, spaces and
 *   `_ . -`; trimmed, inner spaces collapsed. Unique per room, ignoring case.
 * - Messages: 1–1000 characters after trimming.
 *
 * @example
 * ```ts
 * validRoomName(" Team-Standup "); // "team-standup"
 * validUsername("ada  lovelace"); // "ada lovelace"
 * ```
 * @module
 */
import { HttpError } from "../../http/error.ts";

import {
  MESSAGE_MAX,
  ROOM_NAME,
  ROOM_NAME_MAX,
  USERNAME_MAX,
} from "./lines.ts";

export { MESSAGE_MAX, ROOM_NAME_MAX, USERNAME_MAX };
const USERNAME = /^[\p{L}\p{N}_.\- ]+$/u;

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

export function validRoomName(value: unknown): string {
  const name = text(value).trim().toLowerCase();
  if (!name) throw new HttpError(400, "invalid_room", "Enter a room name.");
  if (name.length > ROOM_NAME_MAX) {
    throw new HttpError(
      400,
      "invalid_room",
      `Room names are at most ${ROOM_NAME_MAX} characters.`,
    );
  }
  if (!ROOM_NAME.test(name)) {
    throw new HttpError(
      400,
      "invalid_room",
      "Room names use lowercase letters, digits and hyphens, and start with a letter or digit (e.g. team-standup).",
    );
  }
  return name;
}

export function validUsername(value: unknown): string {
  const name = text(value).trim().replace(/\s+/g, " ");
  if (!name) throw new HttpError(400, "invalid_username", "Enter a username.");
  if ([...name].length > USERNAME_MAX) {
    throw new HttpError(
      400,
      "invalid_username",
      `Usernames are at most ${USERNAME_MAX} characters.`,
    );
  }
  if (!USERNAME.test(name)) {
    throw new HttpError(
      400,
      "invalid_username",
      "Usernames use letters, digits, spaces, dots, hyphens and underscores.",
    );
  }
  return name;
}

export function validMessage(value: unknown): string {
  const message = text(value).trim();
  if (!message) {
    throw new HttpError(400, "invalid_message", "Write a message first.");
  }
  if ([...message].length > MESSAGE_MAX) {
    throw new HttpError(
      400,
      "invalid_message",
      `Messages are at most ${MESSAGE_MAX} characters.`,
    );
  }
  return message;
}

/** The key that makes usernames unique regardless of case. */
export function usernameKey(name: string): string {
  return name.toLocaleLowerCase("en");
}

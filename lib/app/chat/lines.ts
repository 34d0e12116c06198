/**
 * Room log lines from broker events, used by the server (history) and the island (live
 * events) alike.
 *
 * @module
 */
import type { HeraldEvent } from "../../realtime/types.ts";
import { clip, skipped, validTime } from "../render/safe.ts";
import {
  CHAT_EVENTS,
  type ChatEventName,
  type ChatLine,
  type Room,
} from "./types.ts";

/** The limits the chat routes enforce (validate.ts): stored events are held to them too. */
export const ROOM_NAME_MAX = 40;
export const USERNAME_MAX = 24;
export const MESSAGE_MAX = 1000;
export const ROOM_NAME = /^[a-z0-9][a-z0-9-]*$/;

const REASONS = ["left", "closed", "expired"];
const chars = (text: string) => [...text].length;

function isName(value: unknown): value is string {
  return typeof value === "string" && value.trim() !== "" &&
    chars(value) <= USERNAME_MAX;
}

/** A member identity (a session id or a token's `sub`), as `join`/`leave` carry it. */
function isIdentity(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= 256;
}

/**
 * A history event as a line of the room's log; null for other events, and
 * for a malformed one (skipped with a log line: old data or a foreign
 * publisher may have left anything on the channel).
 */
export function toLine(e: HeraldEvent): ChatLine | null {
  if (!(CHAT_EVENTS as readonly string[]).includes(e.event)) return null;
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (!isName(data.user)) return skipped("chat", e.id, "no valid user");
  if (!validTime(e.time)) return skipped("chat", e.id, "an impossible time");
  const text = data.text;
  if (
    e.event === "message" &&
    (typeof text !== "string" || !text || chars(text) > MESSAGE_MAX)
  ) {
    return skipped("chat", e.id, "no message text of 1-1000 characters");
  }
  return {
    id: e.id,
    event: e.event as ChatEventName,
    time: e.time,
    user: data.user,
    ...(e.event === "message" ? { text: text as string } : {}),
    ...(e.event !== "message" && isIdentity(data.member)
      ? { member: data.member }
      : {}),
    ...(REASONS.includes(data.reason as string)
      ? { reason: data.reason as ChatLine["reason"] }
      : {}),
  };
}

/** A presence event of the room's channel: whose streams came or went; null when malformed. */
export function toPresence(
  e: HeraldEvent,
): { user: string; action: "join" | "leave" } | null {
  if (e.event !== "presence") return null;
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (
    !isIdentity(data.user) ||
    (data.action !== "join" && data.action !== "leave")
  ) {
    return skipped("presence", e.id, "no user and action");
  }
  return { user: data.user, action: data.action };
}

/** A stored or announced room, checked; null (with a log line) when malformed. */
export function toRoom(value: unknown, id = "room"): Room | null {
  const r = (value ?? {}) as Record<string, unknown>;
  if (
    typeof r.name !== "string" || r.name.length > ROOM_NAME_MAX ||
    !ROOM_NAME.test(r.name)
  ) {
    return skipped("room", id, "no valid room name");
  }
  return {
    name: r.name,
    createdAt: validTime(r.createdAt) ? r.createdAt : 0,
    ...(isName(r.createdBy)
      ? { createdBy: clip(r.createdBy, USERNAME_MAX) }
      : {}),
  };
}

/** The union of two logs by id, in id order, keeping at most `max` (the newest). */
export function mergeLines(
  current: ChatLine[],
  incoming: ChatLine[],
  max = 500,
): ChatLine[] {
  const byId = new Map(current.map((l) => [l.id, l]));
  for (const line of incoming) byId.set(line.id, line);
  const merged = [...byId.values()].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0
  );
  return merged.length > max ? merged.slice(-max) : merged;
}

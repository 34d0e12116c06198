/**
 * Room log lines from broker events, used by the server (history) and the
 * island (live events) alike.
 *
 * @example
 * ```ts
 * const line = toLine(event); // null for events that are not chat lines
 * lines = mergeLines(lines, [line]);
 * ```
 * @module
 */
import type { HeraldEvent } from "../../realtime/types.ts";
import { CHAT_EVENTS, type ChatEventName, type ChatLine } from "./types.ts";

/** A history event as a line of the room's log, or null for anything else. */
export function toLine(e: HeraldEvent): ChatLine | null {
  if (!(CHAT_EVENTS as readonly string[]).includes(e.event)) return null;
  const data = (e.data ?? {}) as Record<string, unknown>;
  if (typeof data.user !== "string") return null;
  return {
    id: e.id,
    event: e.event as ChatEventName,
    time: e.time,
    user: data.user,
    ...(typeof data.text === "string" ? { text: data.text } : {}),
    ...(data.reason === "left" || data.reason === "expired"
      ? { reason: data.reason }
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

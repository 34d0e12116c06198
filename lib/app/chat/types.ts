/**
 * Chat data shared by the server and the islands: what the store holds and what
 * `chat:{room}` and `chat-rooms` carry.
 *
 * @module
 */

export const ROOMS_CHANNEL = "chat-rooms";
export const CHAT_EVENTS = ["message", "join", "leave"] as const;
export type ChatEventName = typeof CHAT_EVENTS[number];

/** The channel of one room. */
export function roomChannel(room: string): string {
  return `chat:${room}`;
}

export interface Room {
  name: string;
  createdAt: number;
  /** Display name of whoever created it, when known. */
  createdBy?: string;
}

/** A member as stored (with a TTL, renewed by the page's heartbeat). */
export interface Member {
  name: string;
  /** Secret the joining page holds; proves the page is this member. */
  memberId: string;
  /**
   * New on every join, also a re-join after a reload: a leave must name it,
   * so the leave a reloaded page sends as it goes cannot remove the member
   * that its successor has just re-joined.
   */
  seat: string;
  joinedAt: number;
}

export interface ChatMessageData {
  user: string;
  text: string;
}

export interface MembershipData {
  user: string;
  /** Why a member left: the page said so, or its heartbeat stopped. */
  reason?: "left" | "expired";
}

/** One line of the room's log, as the page shows it. */
export interface ChatLine {
  id: string;
  event: ChatEventName;
  time: number;
  user: string;
  text?: string;
  reason?: MembershipData["reason"];
}

/** What a page needs to show a room (server render and resync). */
export interface RoomState {
  room: string;
  lines: ChatLine[];
  members: string[];
}

/**
 * Chat data shared by the server and the islands: what the store holds and what
 * `chat:{room}` and `chat-rooms` carry.
 *
 * @module
 */

import { presenceChannel } from "../../realtime/presence/channel.ts";

export const ROOMS_CHANNEL = "chat-rooms";
export const CHAT_EVENTS = ["message", "join", "leave"] as const;
export type ChatEventName = typeof CHAT_EVENTS[number];

/** The channel of one room. */
export function roomChannel(room: string): string {
  return `chat:${room}`;
}

/** Who is on a room's channel, announced by presence: `presence` events `{user, action}`. */
export function roomPresenceChannel(room: string): string {
  return presenceChannel(roomChannel(room));
}

export interface Room {
  name: string;
  createdAt: number;
  /** Display name of whoever created it, when known. */
  createdBy?: string;
}

/**
 * A name held in a room, as stored: the member is `user` (a session id or a
 * token's `sub`, the identity presence counts), listed while present.
 */
export interface Member {
  name: string;
  user: string;
  joinedAt: number;
}

/** A member as a page lists them: present on the room's channel and holding a name. */
export interface ChatMember {
  name: string;
  user: string;
  /** The member's open streams on the room (0 while a reload is under way); absent when a page learned of the member from a `join` event. */
  connections?: number;
}

export interface ChatMessageData {
  user: string;
  text: string;
}

export interface MembershipData {
  /** The member's name. */
  user: string;
  /** Who holds it (the page compares it with its own identity). */
  member?: string;
  /**
   * Why a member left: "left" (the Leave button) or "closed" (their last
   * page closed); "expired" in older history (a heartbeat stopped).
   */
  reason?: "left" | "closed" | "expired";
}

/** One line of the room's log, as the page shows it. */
export interface ChatLine {
  id: string;
  event: ChatEventName;
  time: number;
  user: string;
  text?: string;
  reason?: MembershipData["reason"];
  /** Who joined or left (a `join`/`leave` of a member identity). */
  member?: string;
}

/** What a page needs to show a room (server render and resync). */
export interface RoomState {
  room: string;
  lines: ChatLine[];
  members: ChatMember[];
  /** The asking session's name in the room, when it holds one. */
  me?: string;
}

/**
 * Chat rooms on the app store and the broker: create, join, send, leave, heartbeat and
 * sweep, with typed inputs and the chat's own errors (ARCHITECTURE.md, Chat).
 *
 * @module
 */
import { envInt, type EnvSource } from "../../config/env.ts";
import type { Broker, HeraldEvent } from "../../realtime/types.ts";
import { readHistoryPage } from "../../realtime/history/reader.ts";
import type { AppStore } from "../store/types.ts";
import { NameTaken, NotAMember, RoomExists, RoomNotFound } from "./errors.ts";
import { toLine, toRoom } from "./lines.ts";
import { byName, withMember, withoutMember } from "./roster.ts";
import {
  type ChatLine,
  type Member,
  type MembershipData,
  type Room,
  roomChannel,
  ROOMS_CHANNEL,
  type RoomState,
} from "./types.ts";
import { usernameKey } from "./name_key.ts";

export interface ChatOptions {
  /** A member whose page stops renewing is gone after this long. */
  memberTtlMs?: number;
  /** How many events of the room's history a page shows. */
  historyLimit?: number;
  /** A room without member activity for this long is gone (at least `memberTtlMs`). */
  roomTtlMs?: number;
}

/**
 * `HERALD_CHAT_MEMBER_TTL_MS` (default 45 s), `HERALD_CHAT_HISTORY` (default
 * 200) and `HERALD_CHAT_ROOM_TTL_MS` (default 1 h).
 */
export function chatOptionsFromEnv(env: EnvSource = Deno.env): ChatOptions {
  return {
    memberTtlMs: envInt(env, "HERALD_CHAT_MEMBER_TTL_MS", undefined),
    historyLimit: envInt(env, "HERALD_CHAT_HISTORY", undefined),
    roomTtlMs: envInt(env, "HERALD_CHAT_ROOM_TTL_MS", undefined, { min: 100 }),
  };
}

/** A join: a checked room and username; `memberId` when the page held the name before. */
export interface JoinInput {
  room: string;
  username: string;
  memberId?: string;
  /** Only the heartbeat's re-join of a lapsed member keeps the page's seat. */
  seat?: string;
}

/** A page that says it is a member: the name, the secret its join returned, and its seat. */
export interface MemberInput {
  room: string;
  username: string;
  memberId: string;
  seat?: string;
}

export interface MessageInput extends MemberInput {
  text: string;
}

const roomKey = (room: string) => ["chat", "rooms", room];
const membersKey = (room: string) => ["chat", "members", room];
const memberKey = (room: string, name: string) => [
  "chat",
  "members",
  room,
  usernameKey(name),
];
const rosterKey = (room: string) => ["chat", "roster", room];

export interface Joined {
  room: string;
  username: string;
  memberId: string;
  /** This join's seat: the page's leave names it. */
  seat: string;
  members: string[];
}

/** Rooms whose last renewal is remembered; past it the memory starts over. */
const MAX_RENEWALS_TRACKED = 10_000;

export class ChatService {
  readonly memberTtlMs: number;
  readonly historyLimit: number;
  readonly roomTtlMs: number;
  /** When this process last renewed each room (see #activeRoom). */
  readonly #renewedAt = new Map<string, number>();

  constructor(
    readonly store: AppStore,
    readonly broker: Pick<Broker, "publish" | "history">,
    opts: ChatOptions = {},
  ) {
    this.memberTtlMs = opts.memberTtlMs ?? 45_000;
    this.historyLimit = opts.historyLimit ?? 200;
    // A room with a member renews on every heartbeat: it must outlive one interval.
    this.roomTtlMs = Math.max(opts.roomTtlMs ?? 3_600_000, this.memberTtlMs);
  }

  async listRooms(): Promise<Room[]> {
    const entries = await this.store.list<unknown>(["chat", "rooms"]);
    return entries.map((e) => toRoom(e.value, e.key.join("/")))
      .filter((r): r is Room => r !== null);
  }

  async getRoom(room: string): Promise<Room | null> {
    return await this.store.get<Room>(roomKey(room));
  }

  /** Creates a room (a checked name); {@link RoomExists} when one has that name. */
  async createRoom(name: string, createdBy?: string): Promise<Room> {
    const room: Room = {
      name,
      createdAt: Date.now(),
      ...(createdBy ? { createdBy } : {}),
    };
    const ttl = { ttlMs: this.roomTtlMs };
    if (!await this.store.setIfAbsent(roomKey(name), room, ttl)) {
      throw new RoomExists(name);
    }
    // An expired room of that name may have left its roster behind.
    await this.store.delete(rosterKey(name));
    await this.broker.publish(ROOMS_CHANNEL, {
      event: "roomCreated",
      data: room,
    });
    return room;
  }

  /**
   * The room, renewed for another `roomTtlMs`: a member is active in it.
   * Renewed at most once a quarter-TTL per process, claimed before the write,
   * so a burst of messages does not contend on the room's entry.
   */
  async #activeRoom(name: string): Promise<string> {
    const room = await this.getRoom(name);
    if (!room) throw new RoomNotFound(name);
    const now = Date.now();
    if (now - (this.#renewedAt.get(name) ?? 0) < this.roomTtlMs / 4) {
      return name;
    }
    if (this.#renewedAt.size >= MAX_RENEWALS_TRACKED) this.#renewedAt.clear();
    this.#renewedAt.set(name, now);
    await this.store.compareAndSet(roomKey(name), room, room, {
      ttlMs: this.roomTtlMs,
    });
    return name;
  }

  /**
   * Joins `username` to the room. A page that already holds the name (same
   * `memberId`, e.g. after a reload) keeps it; anyone else gets {@link NameTaken}.
   */
  async join(input: JoinInput): Promise<Joined> {
    const name = await this.#activeRoom(input.room);
    const user = input.username;
    const { memberId } = input;
    const seat = input.seat ?? crypto.randomUUID();
    const key = memberKey(name, user);
    const ttl = { ttlMs: this.memberTtlMs };
    const current = await this.store.get<Member>(key);
    let member: Member;
    if (current && memberId && current.memberId === memberId) {
      member = { ...current, name: user, seat };
      if (!await this.store.compareAndSet(key, current, member, ttl)) {
        throw new NameTaken(name, user);
      }
    } else {
      member = {
        name: user,
        memberId: memberId || crypto.randomUUID(),
        seat,
        joinedAt: Date.now(),
      };
      if (!await this.store.setIfAbsent(key, member, ttl)) {
        throw new NameTaken(name, user);
      }
    }
    if (await this.#updateRoster(name, (names) => withMember(names, user))) {
      await this.#announce(name, "join", { user });
    }
    return {
      room: name,
      username: user,
      memberId: member.memberId,
      seat: member.seat,
      members: await this.members(name),
    };
  }

  /** The member entry when `memberId` proves the caller is that member. */
  async #member(input: MemberInput): Promise<Member | null> {
    const member = await this.store.get<Member>(
      memberKey(input.room, input.username),
    );
    return member && member.memberId === input.memberId ? member : null;
  }

  /**
   * Removes the member (when `memberId` and the join's `seat` match) and
   * announces it once. A stale leave (an older seat) is ignored.
   */
  async leave(input: MemberInput): Promise<void> {
    const name = input.room;
    const member = await this.#member(input);
    if (!member || member.seat !== input.seat) return;
    await this.store.deleteIf(memberKey(name, member.name), member);
    if (
      await this.#updateRoster(
        name,
        (names) => withoutMember(names, member.name),
      )
    ) {
      await this.#announce(name, "leave", {
        user: member.name,
        reason: "left",
      });
    }
  }

  /**
   * Renews the caller's membership (re-joining when it lapsed meanwhile),
   * then announces members that expired. {@link NameTaken} when someone else
   * took the name.
   */
  async heartbeat(input: MemberInput): Promise<string[]> {
    const name = await this.#activeRoom(input.room);
    const member = await this.#member(input);
    if (member) {
      await this.store.compareAndSet(
        memberKey(name, member.name),
        member,
        member,
        { ttlMs: this.memberTtlMs },
      );
    } else {
      await this.join(input);
    }
    return await this.sweep(name);
  }
  /** Announces a leave for every announced member whose entry expired; returns the members. */
  async sweep(room: string): Promise<string[]> {
    const live = await this.members(room);
    const liveKeys = new Set(live.map(usernameKey));
    let gone: string[] = [];
    await this.#updateRoster(room, (names) => {
      gone = names.filter((n) => !liveKeys.has(usernameKey(n)));
      return names.filter((n) => liveKeys.has(usernameKey(n)));
    });
    for (const user of gone) {
      await this.#announce(room, "leave", { user, reason: "expired" });
    }
    return live;
  }

  /** Publishes a message from a member; {@link NotAMember} when the caller is not one. */
  async send(input: MessageInput): Promise<HeraldEvent> {
    const name = await this.#activeRoom(input.room);
    const member = await this.#member(input);
    if (!member) throw new NotAMember(name);
    return await this.broker.publish(roomChannel(name), {
      event: "message",
      data: { user: member.name, text: input.text },
    });
  }

  /** Current members' names, sorted. */
  async members(room: string): Promise<string[]> {
    const entries = await this.store.list<Member>(membersKey(room));
    return entries.map((e) => e.value.name).sort(byName);
  }

  /** The room's recent log (messages, joins, leaves), oldest first. */
  async lines(room: string, after?: string): Promise<ChatLine[]> {
    // Bounded in bytes as well as lines (see realtime/history/reader.ts).
    const { events } = await readHistoryPage(this.broker, roomChannel(room), {
      ...(after ? { after } : {}),
      limit: this.historyLimit,
    });
    return events.map(toLine).filter((l): l is ChatLine => l !== null);
  }

  /** Everything a page shows; null when the room does not exist. */
  async state(room: string): Promise<RoomState | null> {
    if (!await this.getRoom(room)) return null;
    const [lines, members] = await Promise.all([
      this.lines(room),
      this.sweep(room),
    ]);
    return { room, lines, members };
  }

  async #announce(room: string, event: "join" | "leave", data: MembershipData) {
    await this.broker.publish(roomChannel(room), { event, data });
  }

  /** Compare-and-set loop on the roster; true when this call changed it. */
  async #updateRoster(
    room: string,
    change: (names: string[]) => string[],
  ): Promise<boolean> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const before = await this.store.get<string[]>(rosterKey(room));
      const after = change(before ?? []).sort(byName);
      if (sameNames(before ?? [], after)) return false;
      const written = before === null
        ? await this.store.setIfAbsent(rosterKey(room), after)
        : await this.store.compareAndSet(rosterKey(room), before, after);
      if (written) return true;
    }
    throw new Error(`chat: roster of ${room} keeps changing`);
  }
}

function sameNames(a: string[], b: string[]) {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

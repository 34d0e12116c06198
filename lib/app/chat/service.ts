/**
 * Chat rooms on the app store and the broker: create, join, send and leave, with
 * typed inputs and the chat's own errors. Who is in a room is presence of its
 * channel; the chat keeps only which name each member holds (ARCHITECTURE.md, Chat).
 *
 * @module
 */
import { envInt, type EnvSource } from "../../config/env.ts";
import type { Broker, HeraldEvent } from "../../realtime/types.ts";
import { readHistoryPage } from "../../realtime/history/reader.ts";
import type {
  Presence,
  PresenceChange,
} from "../../realtime/presence/presence.ts";
import type { AppStore } from "../store/types.ts";
import { NameTaken, NotAMember, RoomExists, RoomNotFound } from "./errors.ts";
import { toLine, toRoom } from "./lines.ts";
import { sortMembers } from "./roster.ts";
import {
  type ChatLine,
  type ChatMember,
  type Member,
  type MembershipData,
  type Room,
  roomChannel,
  ROOMS_CHANNEL,
  type RoomState,
} from "./types.ts";
import { usernameKey } from "./name_key.ts";

export interface ChatOptions {
  /** How many events of the room's history a page shows. */
  historyLimit?: number;
  /** A room nobody joins, writes in or has open for this long is gone. */
  roomTtlMs?: number;
}

/** `HERALD_CHAT_HISTORY` (default 200) and `HERALD_CHAT_ROOM_TTL_MS` (default 1 h). */
export function chatOptionsFromEnv(env: EnvSource = Deno.env): ChatOptions {
  return {
    historyLimit: envInt(env, "HERALD_CHAT_HISTORY", undefined),
    roomTtlMs: envInt(env, "HERALD_CHAT_ROOM_TTL_MS", undefined, { min: 100 }),
  };
}

/** The part of presence the chat reads: who is on a room's channel. */
export type ChatPresence = Pick<Presence, "members">;

/** A join: a checked room and username, and who asks (a session id or token `sub`). */
export interface JoinInput {
  room: string;
  username: string;
  user: string;
}

/** Who asks, in which room. */
export interface MemberInput {
  room: string;
  user: string;
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

export interface Joined {
  room: string;
  username: string;
  /** The member's identity, as `join`/`leave` events name it. */
  user: string;
  members: ChatMember[];
}

/** Rooms whose last renewal is remembered; past it the memory starts over. */
const MAX_RENEWALS_TRACKED = 10_000;

export class ChatService {
  readonly historyLimit: number;
  readonly roomTtlMs: number;
  /** When this process last renewed each room (see #activeRoom). */
  readonly #renewedAt = new Map<string, number>();

  constructor(
    readonly store: AppStore,
    readonly broker: Pick<Broker, "publish" | "history">,
    readonly presence: ChatPresence,
    opts: ChatOptions = {},
  ) {
    this.historyLimit = opts.historyLimit ?? 200;
    this.roomTtlMs = opts.roomTtlMs ?? 3_600_000;
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
    // An expired room of that name may have left names behind.
    for (const { key } of await this.store.list(membersKey(name))) {
      await this.store.delete(key);
    }
    await this.broker.publish(ROOMS_CHANNEL, {
      event: "roomCreated",
      data: room,
    });
    return room;
  }

  /**
   * The room, renewed for another `roomTtlMs`: someone is active in it.
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
    const ttl = { ttlMs: this.roomTtlMs };
    await this.store.compareAndSet(roomKey(name), room, room, ttl);
    // Present members' names live on with the room; a name nobody present
    // holds (a crashed process's member, one never present) lapses.
    const present = new Set(
      (await this.presence.members(roomChannel(name))).map((p) => p.user),
    );
    for (
      const { key, value } of await this.store.list<Member>(membersKey(name))
    ) {
      if (present.has(value.user)) {
        await this.store.compareAndSet(key, value, value, ttl);
      }
    }
    return name;
  }

  /** Renews a room someone has open (see keep_alive.ts); a gone room stays gone. */
  async keepAlive(room: string): Promise<void> {
    await this.#activeRoom(room).catch((err) => {
      if (!(err instanceof RoomNotFound)) throw err;
    });
  }

  /**
   * Gives `username` to `user` in the room. The member who holds it already
   * (a reload, a second tab) keeps it and nothing is announced; a name held
   * by someone present is {@link NameTaken}; one whose holder is gone is free.
   */
  async join(input: JoinInput): Promise<Joined> {
    const room = await this.#activeRoom(input.room);
    const { user } = input;
    const key = memberKey(room, input.username);
    const wanted: Member = { name: input.username, user, joinedAt: Date.now() };
    const current = await this.store.get<Member>(key);
    const ttl = { ttlMs: this.roomTtlMs };
    let member = wanted;
    if (current?.user === user) {
      member = current;
    } else if (current) {
      if (await this.#present(room, current.user)) {
        throw new NameTaken(room, input.username);
      }
      if (!await this.store.compareAndSet(key, current, wanted, ttl)) {
        throw new NameTaken(room, input.username);
      }
    } else if (!await this.store.setIfAbsent(key, wanted, ttl)) {
      throw new NameTaken(room, input.username);
    }
    // One name per member: another name this member held is given up.
    for (const other of await this.#namesOf(room, user)) {
      if (usernameKey(other.name) !== usernameKey(member.name)) {
        await this.store.deleteIf(memberKey(room, other.name), other);
      }
    }
    if (member === wanted) {
      await this.#announce(room, "join", { user: member.name, member: user });
    }
    return {
      room,
      username: member.name,
      user,
      members: await this.members(room),
    };
  }

  /**
   * Gives up the member's name and announces it once: `left` from the Leave
   * button, `closed` when their last stream on the room closed (presence).
   */
  async leave(
    input: MemberInput,
    reason: "left" | "closed" = "left",
  ): Promise<void> {
    for (const member of await this.#namesOf(input.room, input.user)) {
      if (
        await this.store.deleteIf(memberKey(input.room, member.name), member)
      ) {
        await this.#announce(input.room, "leave", {
          user: member.name,
          member: input.user,
          reason,
        });
      }
    }
  }

  /** Presence's join/leave on any channel: a member who left a room's channel leaves the room. */
  async presenceChanged(channel: string, change: PresenceChange) {
    const prefix = roomChannel("");
    if (change.action !== "leave" || !channel.startsWith(prefix)) return;
    await this.leave(
      { room: channel.slice(prefix.length), user: change.user },
      "closed",
    );
  }

  /** Publishes a message from a member; {@link NotAMember} when the caller is not one. */
  async send(input: MessageInput): Promise<HeraldEvent> {
    const room = await this.#activeRoom(input.room);
    const [member] = await this.#namesOf(room, input.user);
    if (!member) throw new NotAMember(room);
    return await this.broker.publish(roomChannel(room), {
      event: "message",
      data: { user: member.name, text: input.text },
    });
  }

  /** The name `user` holds in the room, if any. */
  async nameOf(room: string, user: string): Promise<string | undefined> {
    return (await this.#namesOf(room, user))[0]?.name;
  }

  /** The members: present on the room's channel and holding a name; sorted by name. */
  async members(room: string): Promise<ChatMember[]> {
    const [names, present] = await Promise.all([
      this.store.list<Member>(membersKey(room)),
      this.presence.members(roomChannel(room)),
    ]);
    const connections = new Map(present.map((p) => [p.user, p.connections]));
    return sortMembers(
      names.map((e) => e.value).filter((m) => connections.has(m.user))
        .map((m) => ({
          name: m.name,
          user: m.user,
          connections: connections.get(m.user)!,
        })),
    );
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

  /** Everything a page shows (`me`: the name `user` holds); null when the room does not exist. */
  async state(room: string, user?: string): Promise<RoomState | null> {
    if (!await this.getRoom(room)) return null;
    const [lines, members, me] = await Promise.all([
      this.lines(room),
      this.members(room),
      user ? this.nameOf(room, user) : undefined,
    ]);
    return { room, lines, members, ...(me !== undefined ? { me } : {}) };
  }

  async #present(room: string, user: string): Promise<boolean> {
    const present = await this.presence.members(roomChannel(room));
    return present.some((p) => p.user === user);
  }

  async #namesOf(room: string, user: string): Promise<Member[]> {
    return (await this.store.list<Member>(membersKey(room)))
      .map((e) => e.value).filter((m) => m.user === user);
  }

  async #announce(room: string, event: "join" | "leave", data: MembershipData) {
    await this.broker.publish(roomChannel(room), { event, data });
  }
}

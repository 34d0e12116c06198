/**
 * Who is on a channel: identified streams counted per user in the app store, shared
 * across processes, with `presence` join/leave events on `presence:{channel}`
 * (README, HTTP API; ARCHITECTURE.md, Presence).
 *
 * @module
 */
import type { Principal } from "../../access/access.ts";
import type { PublishMessage } from "../types.ts";
import { HeraldLog } from "../observe.ts";
import type { KeyValueStore } from "../key_value.ts";

import { PRESENCE_PREFIX, presenceChannel } from "./channel.ts";

export { PRESENCE_PREFIX };

/** The part of the app's store (lib/app/store) presence needs. */
export type PresenceStore = Pick<
  KeyValueStore,
  "set" | "setIfAbsent" | "compareAndSet" | "deleteIf" | "delete" | "list"
>;

/** Who a stream belongs to, when it has a user identity. */
export interface PresenceIdentity {
  user: string;
  name?: string;
}

/** One entry of `GET /api/channels/{channel}/presence`. */
export interface PresenceMember {
  user: string;
  name?: string;
  /** When the user's oldest open connection (on any process) opened, ISO 8601. */
  since: string;
  connections: number;
}

/** One process's connections of one user on one channel, as stored. */
interface StoredEntry {
  connections: number;
  since: number;
  name?: string;
}

interface Local extends StoredEntry {
  channel: string;
  user: string;
  /** Set while the last connection has closed and the leave waits out the grace. */
  leaving?: ReturnType<typeof setTimeout>;
}

/** A join or leave as announced on `presence:{channel}`. */
export interface PresenceChange {
  user: string;
  name?: string;
  action: "join" | "leave";
}

/** Told of each join and leave once across processes, by the process that announced it (a closing process's leaves excepted). */
export type PresenceListener = (
  channel: string,
  change: PresenceChange,
) => Promise<void> | void;

export interface PresenceOptions {
  store: PresenceStore;
  /** Publishes a join/leave event (the broker's publish). */
  publish(channel: string, message: PublishMessage): Promise<unknown>;
  /** How long a process's entries outlive its last renewal (a crashed process's users drop out then). */
  ttlMs: number;
  /**
   * How long a user whose last connection closed stays present (listed, with
   * 0 connections) before the leave; a reload or a reconnect within it is
   * neither a leave nor a join. Default 0.
   */
  graceMs?: number;
  /** This process's id, unique among the processes sharing the store. */
  processId?: string;
  /** Where failed updates are logged (default: a fresh, unheard log). */
  log?: HeraldLog;
}

/** The user a stream counts for: a token's `sub`, else the page session; none for anonymous streams. */
export function presenceIdentity(who: Principal): PresenceIdentity | null {
  if (who.via === "token" && who.sub) return { user: who.sub };
  if (who.session) return { user: who.session.id, name: who.session.name };
  return null;
}

/**
 * The channels a caller must be allowed to read to read `channels`: a
 * presence channel needs its watched channel too, so `presence:user:alice`
 * says nothing to someone who may not read `user:alice`.
 */
export function channelsToAuthorize(channels: string[]): string[] {
  const watched = channels.filter((c) => c.startsWith(PRESENCE_PREFIX))
    .map((c) => c.slice(PRESENCE_PREFIX.length)).filter((c) => c !== "");
  return [...new Set([...channels, ...watched])];
}

const ENTRIES = "presence";
/** How long opening a stream waits for its presence to be stored. */
const TRACK_WAIT_MS = 1000;
const ANNOUNCED = "presence-announced";

export class Presence {
  readonly #opts: PresenceOptions;
  readonly #log: HeraldLog;
  readonly #processId: string;
  readonly #local = new Map<string, Local>();
  /** One queue per channel and user, so its store writes happen in order. */
  readonly #queues = new Map<string, Promise<void>>();
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #listeners: PresenceListener[] = [];
  #closing = false;
  #closed = false;

  constructor(opts: PresenceOptions) {
    this.#opts = opts;
    this.#log = opts.log ?? new HeraldLog();
    this.#processId = opts.processId ?? crypto.randomUUID();
    this.#timer = setInterval(
      () => void this.#renew(),
      Math.max(100, Math.floor(opts.ttlMs / 3)),
    );
    Deno.unrefTimer(this.#timer);
  }

  /**
   * Counts a stream of `who` on `channels` (presence channels and anonymous
   * streams do not count); resolves once stored, with the call that uncounts it
   * (safe to call more than once; resolves once stored).
   */
  async track(
    channels: string[],
    who: Principal,
  ): Promise<() => Promise<void>> {
    const id = presenceIdentity(who);
    const watched = channels.filter((c) => !c.startsWith(PRESENCE_PREFIX));
    if (!id || watched.length === 0 || this.#closed) return async () => {};
    // A store that does not answer (an outage) delays no stream past this;
    // the per-user queue still keeps the later uncount after the count.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(watched.map((c) => this.#change(c, id, +1))),
      new Promise((resolve) => timer = setTimeout(resolve, TRACK_WAIT_MS)),
    ]);
    clearTimeout(timer);
    let released: Promise<unknown> | null = null;
    return async () => {
      released ??= Promise.all(watched.map((c) => this.#change(c, id, -1)));
      await released;
    };
  }

  /** Calls `listener` after each join or leave this process announces (not those of {@link close}). */
  listen(listener: PresenceListener): void {
    this.#listeners.push(listener);
  }

  /** The channels this process has users on (including users in their grace). */
  localChannels(): string[] {
    return [...new Set([...this.#local.values()].map((l) => l.channel))];
  }

  /** Everyone on `channel` across every process, oldest first. */
  async members(channel: string): Promise<PresenceMember[]> {
    const entries = await this.#opts.store.list<StoredEntry>([
      ENTRIES,
      channel,
    ]);
    const byUser = new Map<string, StoredEntry>();
    for (const { key, value } of entries) {
      const user = key[2];
      const seen = byUser.get(user);
      byUser.set(user, {
        connections: (seen?.connections ?? 0) + value.connections,
        since: Math.min(seen?.since ?? Infinity, value.since),
        name: seen?.name ?? value.name,
      });
    }
    return [...byUser].map(([user, e]) => ({
      user,
      ...(e.name !== undefined ? { name: e.name } : {}),
      since: new Date(e.since).toISOString(),
      connections: e.connections,
    })).sort((a, b) => a.since.localeCompare(b.since));
  }

  /** Uncounts this process's streams (announcing the leaves, without grace) and stops renewing. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    this.#closing = true;
    const open = [...this.#local.values()];
    await Promise.allSettled(
      open.map((l) =>
        this.#change(l.channel, { user: l.user }, -l.connections)
      ),
    );
    this.#closed = true;
  }

  #change(channel: string, id: PresenceIdentity, delta: number): Promise<void> {
    const key = `${channel}\n${id.user}`;
    return this.#enqueue(
      key,
      channel,
      () => this.#apply(key, channel, id, delta),
    );
  }

  #enqueue(
    key: string,
    channel: string,
    run: () => Promise<void>,
  ): Promise<void> {
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const next = previous.then(run)
      .catch((err) =>
        this.#log.log("warn", "presence not updated", {
          channel,
          error: String(err),
        })
      );
    this.#queues.set(key, next);
    void next.then(() => {
      if (this.#queues.get(key) === next) this.#queues.delete(key);
    });
    return next;
  }

  async #apply(
    key: string,
    channel: string,
    id: PresenceIdentity,
    delta: number,
  ): Promise<void> {
    const { store, ttlMs } = this.#opts;
    const entryKey = [ENTRIES, channel, id.user, this.#processId];
    const local = this.#local.get(key) ?? {
      channel,
      user: id.user,
      name: id.name,
      connections: 0,
      since: Date.now(),
    };
    const returning = local.leaving !== undefined;
    clearTimeout(local.leaving);
    local.leaving = undefined;
    local.connections = Math.max(0, local.connections + delta);
    if (local.connections > 0) {
      this.#local.set(key, local);
      await store.set(entryKey, stored(local), { ttlMs });
      if (local.connections === delta && !returning) {
        await this.#announceJoin(channel, local);
      }
      return;
    }
    const graceMs = this.#opts.graceMs ?? 0;
    if (graceMs <= 0 || this.#closing) return await this.#depart(key, local);
    // Still present (0 connections) until the grace ends without a new one.
    this.#local.set(key, local);
    await store.set(entryKey, stored(local), { ttlMs });
    local.leaving = setTimeout(
      () => void this.#enqueue(key, channel, () => this.#depart(key, local)),
      graceMs,
    );
  }

  /** Removes the user's entry here and announces the leave when no process has them. */
  async #depart(key: string, local: Local): Promise<void> {
    if (this.#local.get(key) !== local || local.connections > 0) return;
    clearTimeout(local.leaving);
    this.#local.delete(key);
    const { channel, user } = local;
    await this.#opts.store.delete([ENTRIES, channel, user, this.#processId]);
    await this.#announceLeave(channel, local);
  }

  /** Announces a join once across processes: whoever sets the announced mark. */
  async #announceJoin(channel: string, who: Local): Promise<void> {
    const mark = [ANNOUNCED, channel, who.user];
    const ttlMs = this.#opts.ttlMs;
    if (await this.#opts.store.setIfAbsent(mark, true, { ttlMs })) {
      await this.#publish(channel, who, "join");
    }
  }

  /** Announces a leave when no process has the user any more: whoever clears the mark. */
  async #announceLeave(channel: string, who: Local): Promise<void> {
    const { store } = this.#opts;
    if (await this.#stillThere(channel, who.user)) return;
    if (!await store.deleteIf([ANNOUNCED, channel, who.user], true)) return;
    await this.#publish(channel, who, "leave");
    // A join elsewhere in between found the mark still set: announce it now.
    if (await this.#stillThere(channel, who.user)) {
      await this.#announceJoin(channel, who);
    }
  }

  async #stillThere(channel: string, user: string): Promise<boolean> {
    return (await this.#opts.store.list([ENTRIES, channel, user])).length > 0;
  }

  async #publish(channel: string, who: Local, action: "join" | "leave") {
    const change: PresenceChange = {
      user: who.user,
      ...(who.name !== undefined ? { name: who.name } : {}),
      action,
    };
    await this.#opts.publish(presenceChannel(channel), {
      event: "presence",
      data: change,
    });
    // A closing process's leaves are not its users leaving: they come back on
    // another process (or this one restarted), so listeners do not hear them.
    if (this.#closing) return;
    for (const listener of this.#listeners) {
      try {
        await listener(channel, change);
      } catch (err) {
        this.#log.log("warn", "presence listener failed", {
          channel,
          error: String(err),
        });
      }
    }
  }

  /** Renews this process's entries and the announced marks of its users. */
  async #renew(): Promise<void> {
    const { store, ttlMs } = this.#opts;
    for (const [key, local] of [...this.#local]) {
      const { channel, user } = local;
      // Queued behind the user's changes, so a renewal never revives a deleted entry.
      await this.#enqueue(key, channel, async () => {
        if (this.#local.get(key) !== local) return;
        const entryKey = [ENTRIES, channel, user, this.#processId];
        await store.set(entryKey, stored(local), { ttlMs });
        const mark = [ANNOUNCED, channel, user];
        if (!await store.compareAndSet(mark, true, true, { ttlMs })) {
          await this.#announceJoin(channel, local);
        }
      });
    }
  }
}

function stored(local: Local): StoredEntry {
  return {
    connections: local.connections,
    since: local.since,
    ...(local.name !== undefined ? { name: local.name } : {}),
  };
}

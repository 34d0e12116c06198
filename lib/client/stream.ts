/**
 * The page's event stream: every island subscribes here; one connection (shared by the
 * origin's tabs) carries the union of their channels, or as few as fit the server's
 * channels-per-stream cap (packing.ts), and each subscription gets each event once, in
 * id order, through the one connection that carries it (see ARCHITECTURE.md, Ordering
 * and The browser side).
 *
 * @module
 */
import { type Signal, signal } from "@preact/signals";
import type { HeraldEvent } from "../realtime/types.ts";
import { ChannelSet, eventsUrl, sameList, unionOf } from "./channels.ts";
import { groupChannels, groupKey, packGroups } from "./packing.ts";
import {
  Connection,
  type StreamRecord,
  type StreamStatus,
} from "./connection.ts";
import { SubscriptionCursor } from "./cursor.ts";
import { type HistoryReader, readSince } from "./catch_up.ts";
import { fetchHistory } from "./history.ts";
import { type CarrierState, type Interest, Tabs } from "./tabs.ts";

export interface Subscription {
  channels: string[];
  /** Event names (the envelope's `event`); default `["message"]`. */
  events?: string[];
  /**
   * Deliver every event with a greater id, from before this subscription
   * too: the broker head the server read before rendering the island's
   * state. Without it, only events from now on.
   */
  since?: string;
  onEvent: (event: HeraldEvent) => void;
  /** The server could not replay everything missed: reload state (e.g. refetch history). */
  onGap?: () => void;
  /**
   * This subscription cannot be carried (more channels than one stream may
   * have); default: logged. Other subscriptions are not affected.
   */
  onError?: (message: string) => void;
}

export interface PageStreamOptions {
  /** Default `/api/events`. */
  endpoint?: string;
  /** Share the connections between the tabs of the origin; default true. */
  shareTabs?: boolean;
  /** Name of the Web Lock and BroadcastChannel; default `herald:stream`. */
  lockName?: string;
  /** Reads history for a `since` catch-up; default {@link fetchHistory}. */
  readHistory?: HistoryReader;
  /**
   * The server's channels per stream (`HERALD_MAX_CHANNELS_PER_STREAM`);
   * past it the channels are spread over several connections. Default 32.
   */
  maxChannelsPerConnection?: number;
}

/** The server's default `HERALD_MAX_CHANNELS_PER_STREAM`. */
export const DEFAULT_MAX_CHANNELS_PER_CONNECTION = 32;

/** A subscription and what it was handed so far. */
interface Entry {
  cursor: SubscriptionCursor;
  reading: boolean;
  /** Its channels as a group key: the group one connection carries whole. */
  group: string;
}

/** One of the leader's connections and the groups it carries. */
interface Carrier {
  id: string;
  conn: Connection | null;
  groups: string[];
  channels: string[];
  /** The channels the current source's URL was built with. */
  urlChannels: string[];
  /** Where its next (re)connect resumes: the newest id it received, or lower after a move. */
  last: string | null;
  status: StreamStatus;
}

/** Waits this long after a change, so islands hydrating together cause one (re)connect. */
const SETTLE_MS = 20;

/** The worst status wins: a tab is live only when all its connections are. */
const SEVERITY: StreamStatus[] = [
  "open",
  "connecting",
  "reconnecting",
  "closed",
];

export class PageStream {
  readonly status: Signal<StreamStatus> = signal("connecting");
  readonly lastEventId: Signal<string | null> = signal(null);
  #opts: Required<PageStreamOptions>;
  #groups = new ChannelSet();
  #events = new ChannelSet();
  #subs = new Map<Subscription, Entry>();
  /** Which connection (this tab's or the leader's, as last heard of) carries each group. */
  #routeOf = new Map<string, CarrierState>();
  #tabs: Tabs | null = null;
  #started = false;
  #listening = false;
  #leader = false;
  /** (leader) The connections; index `i` is bin `i` of the packing, null when closed. */
  #carriers: (Carrier | null)[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: PageStreamOptions = {}) {
    this.#opts = {
      endpoint: opts.endpoint ?? "/api/events",
      shareTabs: opts.shareTabs ?? true,
      lockName: opts.lockName ?? "herald:stream",
      readHistory: opts.readHistory ?? fetchHistory,
      maxChannelsPerConnection: Math.max(
        1,
        opts.maxChannelsPerConnection ?? DEFAULT_MAX_CHANNELS_PER_CONNECTION,
      ),
    };
  }

  /** Starts delivering matching events to `sub`; returns the function that stops it. */
  subscribe(sub: Subscription): () => void {
    const group = groupKey(sub.channels);
    const size = groupChannels(group).length;
    const cap = this.#opts.maxChannelsPerConnection;
    if (size > cap) {
      const message =
        `a subscription of ${size} channels cannot be carried: a stream carries at most ${cap}`;
      if (sub.onError) call(() => sub.onError!(message));
      else console.error(`herald: ${message}`);
      return () => {};
    }
    this.#start();
    this.#subs.set(sub, {
      cursor: new SubscriptionCursor(sub.since),
      reading: false,
      group,
    });
    this.#catchUp();
    const releaseGroup = this.#groups.add([group]);
    const releaseEvents = this.#events.add(sub.events ?? ["message"]);
    this.#changed();
    return () => {
      if (!this.#subs.delete(sub)) return;
      releaseGroup();
      releaseEvents();
      this.#changed();
    };
  }

  /**
   * Closes the connections and leaves the tab group (on page hide), keeping
   * the subscriptions: a page restored from the back/forward cache
   * (`pageshow` with `persisted`) connects again with them.
   */
  dispose(): void {
    clearTimeout(this.#timer);
    for (const carrier of this.#carriers) carrier?.conn?.close();
    this.#carriers = [];
    this.#tabs?.close();
    this.#tabs = null;
    this.#started = false;
    this.#leader = false;
    this.#route([]);
    this.status.value = "closed";
  }

  #start() {
    if (this.#started) return;
    this.#started = true;
    this.status.value = "connecting";
    if (this.#opts.shareTabs && Tabs.supported()) {
      this.#tabs = new Tabs(this.#opts.lockName, {
        onLeader: () => {
          this.#leader = true;
          this.#route([]);
          this.#changed();
        },
        onPeersChange: () => this.#changed(),
        onRelay: (record, via) => this.#receive(record, via),
        onStatus: (connections) => {
          if (connections) this.#route(connections);
          else {
            this.#route([]);
            this.status.value = "reconnecting";
          }
        },
      });
    } else {
      this.#leader = true;
    }
    if (!this.#listening && typeof globalThis.addEventListener === "function") {
      this.#listening = true;
      addEventListener("pagehide", () => this.dispose());
      addEventListener("pageshow", (e) => {
        if ((e as PageTransitionEvent).persisted && this.#subs.size > 0) {
          this.#start();
          this.#changed();
        }
      });
    }
  }

  #interest(): Interest {
    return {
      groups: this.#groups.channels(),
      events: this.#events.channels(),
    };
  }

  #changed() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#sync(), SETTLE_MS);
  }

  /**
   * Announces this tab's interest; the leader packs every tab's groups into
   * connections within the cap and (re)opens those whose channels changed.
   */
  #sync() {
    const mine = this.#interest();
    this.#tabs?.announce(mine);
    if (!this.#leader) return;
    const peers = this.#tabs?.peers() ?? [];
    const groups = unionOf(mine.groups, ...peers.map((p) => p.groups ?? []));
    const events = unionOf(mine.events, ...peers.map((p) => p.events), ["gap"]);
    const before = this.#carriers;
    const { bins } = packGroups(
      groups,
      this.#opts.maxChannelsPerConnection,
      before.map((c) => c?.groups ?? []),
    );
    // A group moving between connections resumes from where its old one was.
    const lastOf = new Map<string, string | null>();
    for (const c of before) {
      for (const g of c?.groups ?? []) lastOf.set(g, c!.last);
    }
    const reopen: Carrier[] = [];
    const create: Carrier[] = [];
    this.#carriers = bins.map((bin, i) => {
      const carrier = before[i] ?? null;
      if (bin.groups.length === 0) {
        carrier?.conn?.close();
        return null;
      }
      const moved = bin.groups.filter((g) => !carrier?.groups.includes(g));
      const from = oldest([
        carrier ? carrier.last : this.#resumeAt(),
        ...moved.map((g) => lastOf.get(g) ?? null),
      ]);
      if (!carrier) {
        const fresh = this.#carrier(bin.groups, bin.channels, from);
        create.push(fresh);
        return fresh;
      }
      carrier.groups = bin.groups;
      // Also when its channels stay: a group that comes from a connection
      // further behind would miss what this one already passed.
      const behind = from !== null && carrier.last !== null &&
        from < carrier.last;
      if (!sameList(bin.channels, carrier.channels) || behind) {
        carrier.channels = bin.channels;
        carrier.last = from;
        // One that stopped for good (a 4xx) gets a new source for the new list.
        (carrier.conn?.closed ? create : reopen).push(carrier);
      }
      return carrier;
    });
    for (const carrier of before.slice(bins.length)) carrier?.conn?.close();
    while (this.#carriers.length && !this.#carriers.at(-1)) {
      this.#carriers.pop();
    }
    for (const carrier of this.#carriers) {
      for (const name of events) carrier?.conn?.listen(name);
    }
    for (const carrier of reopen) carrier.conn?.reopen();
    for (const carrier of create) {
      carrier.conn = new Connection(
        () => {
          carrier.urlChannels = carrier.channels;
          return eventsUrl(this.#opts.endpoint, carrier.channels, carrier.last);
        },
        {
          events,
          onEvent: (record) => {
            if (record.id && (!carrier.last || record.id > carrier.last)) {
              carrier.last = record.id;
            }
            this.#receive(record, carrier.id);
          },
          onStatus: (status) => {
            carrier.status = status;
            if (this.#carriers.includes(carrier)) this.#publish();
          },
        },
      );
    }
    this.#publish();
  }

  #carrier(groups: string[], channels: string[], last: string | null): Carrier {
    return {
      id: crypto.randomUUID(),
      conn: null,
      groups,
      channels,
      urlChannels: [],
      last,
      status: "connecting",
    };
  }

  /** (leader) Tells the tabs, this one included, what each connection carries. */
  #publish() {
    const states = this.#carriers.filter((c) => c !== null).map((c) => ({
      id: c.id,
      status: c.status,
      channels: c.status === "open" ? c.urlChannels : [],
      groups: c.groups,
    }));
    this.#tabs?.status(states);
    this.#route(states);
  }

  /** Takes the connections as they are now: routes, the tab's status, catch-ups. */
  #route(connections: CarrierState[]) {
    this.#routeOf = new Map(
      connections.flatMap((c) => c.groups.map((g) => [g, c] as const)),
    );
    const mine = connections.filter((c) =>
      c.groups.some((g) => [...this.#subs.values()].some((e) => e.group === g))
    );
    const shown = mine.length > 0 ? mine : connections;
    this.status.value = shown.length === 0
      ? (this.#subs.size > 0 && this.#started ? "connecting" : "closed")
      : shown.map((c) => c.status).reduce((a, b) =>
        SEVERITY.indexOf(a) >= SEVERITY.indexOf(b) ? a : b
      );
    this.#catchUp();
  }

  /**
   * Where a new connection resumes: after the newest event seen, or before any
   * was seen, after the oldest `since` (so a connection that drops before
   * its first event still misses nothing).
   */
  #resumeAt(): string | null {
    if (this.lastEventId.value) return this.lastEventId.value;
    let oldest: string | null = null;
    for (const { cursor } of this.#subs.values()) {
      const since = cursor.since;
      if (since !== undefined && (oldest === null || since < oldest)) {
        oldest = since;
      }
    }
    return oldest;
  }

  /** Islands rendered together catch up together: one read per channel and `since`. */
  #reads = new Map<string, Promise<HeraldEvent[]>>();
  #readShared: HistoryReader = (channel, query) => {
    const key = JSON.stringify([channel, query]);
    let read = this.#reads.get(key);
    if (!read) {
      read = this.#opts.readHistory(channel, query);
      this.#reads.set(key, read);
      const forget = () => this.#reads.delete(key);
      read.then(forget, forget);
    }
    return read;
  };

  /** Starts the history read of each catching-up subscription whose channels are now carried. */
  #catchUp() {
    for (const [sub, entry] of this.#subs) {
      const { cursor } = entry;
      if (!cursor.catchingUp || entry.reading) continue;
      const carried = this.#routeOf.get(entry.group)?.channels ?? [];
      if (!sub.channels.every((c) => carried.includes(c))) continue;
      entry.reading = true;
      readSince(sub.channels, cursor.since!, this.#readShared).then(
        (missed) => {
          if (this.#subs.get(sub) !== entry) return; // unsubscribed meanwhile
          const wanted = sub.events ?? ["message"];
          if (missed === "gap") call(() => sub.onGap?.());
          const events = missed === "gap"
            ? cursor.gaveUp()
            : cursor.caughtUp(missed.filter((e) => wanted.includes(e.event)));
          for (const e of events) call(() => sub.onEvent(e));
        },
      );
    }
  }

  /** A record of connection `via`: only the subscriptions it carries take it (one id order each). */
  #receive(record: StreamRecord, via: string) {
    if (this.#leader) this.#tabs?.relay(record, via);
    const carried = (entry: Entry) =>
      this.#routeOf.get(entry.group)?.id === via;
    if (record.name === "gap") {
      // `{channel, …}` names the channel whose history fell short; reload only its islands.
      const channel = parseJson(record.data)?.channel;
      for (const [sub, entry] of this.#subs) {
        if (!carried(entry)) continue;
        if (typeof channel !== "string" || sub.channels.includes(channel)) {
          call(() => sub.onGap?.());
        }
      }
      return;
    }
    const event = parseJson(record.data) as HeraldEvent | null;
    if (!event || typeof event.channel !== "string") return; // not an envelope
    event.id ??= record.id;
    if (!event.id) return;
    const last = this.lastEventId.value;
    if (!last || event.id > last) this.lastEventId.value = event.id;
    for (const [sub, entry] of this.#subs) {
      const { cursor } = entry;
      if (
        carried(entry) &&
        sub.channels.includes(event.channel) &&
        (sub.events ?? ["message"]).includes(event.event ?? "message")
      ) {
        for (const e of cursor.live(event)) call(() => sub.onEvent(e));
      }
    }
  }
}

/** The oldest of some resume positions; null when none is known. */
function oldest(ids: (string | null)[]): string | null {
  const known = ids.filter((id): id is string => id !== null);
  return known.length ? known.reduce((a, b) => (b < a ? b : a)) : null;
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" ? value : null;
  } catch {
    return null;
  }
}

/** One island's error must not stop the others from getting the event. */
function call(fn: () => void) {
  try {
    fn();
  } catch (err) {
    console.error(err);
  }
}

const KEY = Symbol.for("herald.pageStream");

/** The `<meta name>` by which the server tells the page its channels-per-stream cap. */
export const MAX_CHANNELS_META = "herald:max-channels-per-stream";

/** The options the server rendered into the page (see {@link MAX_CHANNELS_META}). */
function optionsFromPage(): PageStreamOptions {
  const meta = typeof document === "undefined"
    ? null
    : document.querySelector(`meta[name="${MAX_CHANNELS_META}"]`);
  const cap = Number(meta?.getAttribute("content"));
  return Number.isInteger(cap) && cap > 0
    ? { maxChannelsPerConnection: cap }
    : {};
}

/**
 * The page's stream. Kept on `globalThis` so islands bundled separately
 * still share one.
 */
export function pageStream(): PageStream {
  const g = globalThis as unknown as Record<symbol, PageStream>;
  return (g[KEY] ??= new PageStream(optionsFromPage()));
}

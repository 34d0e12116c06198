/**
 * The page's one event stream: every island subscribes here; ONE connection (shared by
 * the origin's tabs) carries the union of their channels, and each subscription gets
 * each event once, in id order (see ARCHITECTURE.md, Ordering and The browser side).
 *
 * @module
 */
import { type Signal, signal } from "@preact/signals";
import type { HeraldEvent } from "../realtime/types.ts";
import { ChannelSet, eventsUrl, sameList, unionOf } from "./channels.ts";
import {
  Connection,
  type StreamRecord,
  type StreamStatus,
} from "./connection.ts";
import { SubscriptionCursor } from "./cursor.ts";
import { type HistoryReader, readSince } from "./catch_up.ts";
import { fetchHistory } from "./history.ts";
import { Tabs } from "./tabs.ts";

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
}

export interface PageStreamOptions {
  /** Default `/api/events`. */
  endpoint?: string;
  /** Share one connection between the tabs of the origin; default true. */
  shareTabs?: boolean;
  /** Name of the Web Lock and BroadcastChannel; default `herald:stream`. */
  lockName?: string;
  /** Reads history for a `since` catch-up; default {@link fetchHistory}. */
  readHistory?: HistoryReader;
}

/** A subscription and what it was handed so far. */
interface Entry {
  cursor: SubscriptionCursor;
  reading: boolean;
}

/** Waits this long after a change, so islands hydrating together cause one (re)connect. */
const SETTLE_MS = 20;

export class PageStream {
  readonly status: Signal<StreamStatus> = signal("connecting");
  readonly lastEventId: Signal<string | null> = signal(null);
  #opts: Required<PageStreamOptions>;
  #channels = new ChannelSet();
  #events = new ChannelSet();
  #subs = new Map<Subscription, Entry>();
  /** The channels of the open connection (this tab's or the leader's); none while not open. */
  #carried: string[] = [];
  /** The channels the current connection's URL was built with. */
  #urlChannels: string[] = [];
  #tabs: Tabs | null = null;
  #started = false;
  #listening = false;
  #leader = false;
  #conn: Connection | null = null;
  #opened: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: PageStreamOptions = {}) {
    this.#opts = {
      endpoint: opts.endpoint ?? "/api/events",
      shareTabs: opts.shareTabs ?? true,
      lockName: opts.lockName ?? "herald:stream",
      readHistory: opts.readHistory ?? fetchHistory,
    };
  }

  /** Starts delivering matching events to `sub`; returns the function that stops it. */
  subscribe(sub: Subscription): () => void {
    this.#start();
    this.#subs.set(sub, {
      cursor: new SubscriptionCursor(sub.since),
      reading: false,
    });
    this.#catchUp();
    const releaseChannels = this.#channels.add(sub.channels);
    const releaseEvents = this.#events.add(sub.events ?? ["message"]);
    this.#changed();
    return () => {
      if (!this.#subs.delete(sub)) return;
      releaseChannels();
      releaseEvents();
      this.#changed();
    };
  }

  /**
   * Closes the connection and leaves the tab group (on page hide), keeping
   * the subscriptions: a page restored from the back/forward cache
   * (`pageshow` with `persisted`) connects again with them.
   */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#conn?.close();
    this.#conn = null;
    this.#opened = [];
    this.#carried = [];
    this.#tabs?.close();
    this.#tabs = null;
    this.#started = false;
    this.#leader = false;
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
          this.#carry([]);
          this.#changed();
        },
        onPeersChange: () => this.#changed(),
        onRelay: (record) => this.#receive(record),
        onStatus: (status, channels) => {
          this.status.value = status;
          this.#carry(status === "open" ? channels : []);
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

  #interest() {
    return {
      channels: this.#channels.channels(),
      events: this.#events.channels(),
    };
  }

  #changed() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#sync(), SETTLE_MS);
  }

  /** Announces this tab's interest; the leader (re)opens the connection for the union. */
  #sync() {
    const mine = this.#interest();
    this.#tabs?.announce(mine);
    if (!this.#leader) return;
    const peers = this.#tabs?.peers() ?? [];
    const channels = unionOf(mine.channels, ...peers.map((p) => p.channels));
    const events = unionOf(mine.events, ...peers.map((p) => p.events), ["gap"]);
    if (channels.length === 0) {
      this.#conn?.close();
      this.#conn = null;
      this.#opened = [];
      this.#carry([]);
      return;
    }
    const changed = !sameList(channels, this.#opened);
    this.#opened = channels;
    if (!this.#conn) {
      this.#conn = new Connection(
        () => {
          this.#urlChannels = this.#opened;
          return eventsUrl(this.#opts.endpoint, this.#opened, this.#resumeAt());
        },
        {
          events,
          onEvent: (record) => this.#receive(record),
          onStatus: (status) => {
            const carried = status === "open" ? this.#urlChannels : [];
            this.status.value = status;
            this.#tabs?.status(status, carried);
            this.#carry(carried);
          },
        },
      );
      return;
    }
    for (const name of events) this.#conn.listen(name);
    if (changed) this.#conn.reopen();
  }

  /**
   * Where a (re)connect resumes: after the newest event seen, or before any
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

  #carry(channels: string[]) {
    this.#carried = channels;
    this.#catchUp();
  }

  /** Starts the history read of each catching-up subscription whose channels are now carried. */
  #catchUp() {
    for (const [sub, entry] of this.#subs) {
      const { cursor } = entry;
      if (!cursor.catchingUp || entry.reading) continue;
      if (!sub.channels.every((c) => this.#carried.includes(c))) continue;
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

  #receive(record: StreamRecord) {
    if (this.#leader) this.#tabs?.relay(record);
    if (record.name === "gap") {
      // `{channel, …}` names the channel whose history fell short; reload only its islands.
      const channel = parseJson(record.data)?.channel;
      for (const sub of this.#subs.keys()) {
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
    for (const [sub, { cursor }] of this.#subs) {
      if (
        sub.channels.includes(event.channel) &&
        (sub.events ?? ["message"]).includes(event.event ?? "message")
      ) {
        for (const e of cursor.live(event)) call(() => sub.onEvent(e));
      }
    }
  }
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

/**
 * The page's stream. Kept on `globalThis` so islands bundled separately
 * still share one.
 */
export function pageStream(): PageStream {
  const g = globalThis as unknown as Record<symbol, PageStream>;
  return (g[KEY] ??= new PageStream());
}

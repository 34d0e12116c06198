/**
 * The page's one event stream: every island of the page subscribes here, with
 * the channels and event names it wants; the stream keeps ONE connection to
 * the multi-channel endpoint (`/api/events?channel=…`) opened with the union
 * of all channels (and, through {@link Tabs}, of all tabs of the origin),
 * reopens it from the last event id when that union changes, drops
 * duplicate ids, and calls `onGap` when the server says history was lost.
 *
 * Islands normally use {@link useEventStream} (hook.ts) instead.
 *
 * @example
 * ```ts
 * const stream = pageStream();
 * const stop = stream.subscribe({
 *   channels: ["notifications"],
 *   onEvent: (e) => console.log(e.channel, e.data),
 *   onGap: () => reloadHistory(),
 * });
 * stream.status.value; // "connecting" | "open" | "reconnecting" | "closed"
 * stop();
 * ```
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
import { RecentIds } from "./dedupe.ts";
import { Tabs } from "./tabs.ts";

export interface Subscription {
  channels: string[];
  /** Event names (the envelope's `event`); default `["message"]`. */
  events?: string[];
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
}

/** Waits this long after a change, so islands hydrating together cause one (re)connect. */
const SETTLE_MS = 20;

export class PageStream {
  readonly status: Signal<StreamStatus> = signal("connecting");
  readonly lastEventId: Signal<string | null> = signal(null);
  #opts: Required<PageStreamOptions>;
  #channels = new ChannelSet();
  #events = new ChannelSet();
  #subs = new Set<Subscription>();
  #seen = new RecentIds();
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
    };
  }

  /** Starts delivering matching events to `sub`; returns the function that stops it. */
  subscribe(sub: Subscription): () => void {
    this.#start();
    this.#subs.add(sub);
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
          this.#changed();
        },
        onPeersChange: () => this.#changed(),
        onRelay: (record) => this.#receive(record),
        onStatus: (status) => (this.status.value = status),
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
      return;
    }
    const changed = !sameList(channels, this.#opened);
    this.#opened = channels;
    if (!this.#conn) {
      this.#conn = new Connection(
        () =>
          eventsUrl(this.#opts.endpoint, this.#opened, this.lastEventId.value),
        {
          events,
          onEvent: (record) => this.#receive(record),
          onStatus: (status) => {
            this.status.value = status;
            this.#tabs?.status(status);
          },
        },
      );
      return;
    }
    for (const name of events) this.#conn.listen(name);
    if (changed) this.#conn.reopen();
  }

  #receive(record: StreamRecord) {
    if (this.#leader) this.#tabs?.relay(record);
    if (record.name === "gap") {
      // `{channel, …}` names the channel whose history fell short; reload only its islands.
      const channel = parseJson(record.data)?.channel;
      for (const sub of this.#subs) {
        if (typeof channel !== "string" || sub.channels.includes(channel)) {
          call(() => sub.onGap?.());
        }
      }
      return;
    }
    const event = parseJson(record.data) as HeraldEvent | null;
    if (!event) return; // not an envelope: nothing an island could use
    const id = event.id ?? record.id;
    if (!id || !this.#seen.add(id)) return;
    this.lastEventId.value = record.id || id;
    for (const sub of this.#subs) {
      if (
        sub.channels.includes(event.channel) &&
        (sub.events ?? ["message"]).includes(event.event ?? "message")
      ) call(() => sub.onEvent(event));
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

/**
 * Shares the event stream between the tabs of an origin: a Web Lock elects the leader
 * that holds the connections and relays events over a BroadcastChannel.
 *
 * @module
 */
import type { StreamRecord, StreamStatus } from "./connection.ts";

/** What one tab listens to: each subscription's channels as a group key (packing.ts). */
export interface Interest {
  groups: string[];
  events: string[];
}

/** One of the leader's connections, as the tabs see it. */
export interface CarrierState {
  id: string;
  status: StreamStatus;
  /** The channels it carries while open; none otherwise. */
  channels: string[];
  /** The subscription groups it carries: their events arrive only through it. */
  groups: string[];
}

type TabMessage =
  | { t: "hello"; tab: string; interest: Interest }
  | { t: "bye"; tab: string }
  | { t: "roll"; tab: string }
  | { t: "event"; record: StreamRecord; via: string }
  | { t: "status"; tab: string; connections: CarrierState[] };

export interface TabsHandlers {
  /** This tab now holds the connection for all tabs. */
  onLeader(): void;
  /** (leader) Another tab's interest changed; open with the new union. */
  onPeersChange(): void;
  /** (follower) An event the leader received through its connection `via`. */
  onRelay(record: StreamRecord, via: string): void;
  /** (follower) The leader's connections; null while there is no leader. */
  onStatus(connections: CarrierState[] | null): void;
}

export class Tabs {
  readonly id = crypto.randomUUID();
  #leader = false;
  #leaderTab: string | null = null;
  #bus: BroadcastChannel;
  #peers = new Map<string, Interest>();
  #mine: Interest = { groups: [], events: [] };
  #lastStatus: CarrierState[] | null = null;
  #release: (() => void) | null = null;
  #abort = new AbortController();
  #handlers: TabsHandlers;
  #closed = false;

  /** True when this browser has what tab sharing needs. */
  static supported(): boolean {
    return typeof BroadcastChannel === "function" &&
      typeof navigator !== "undefined" && !!navigator.locks;
  }

  constructor(name: string, handlers: TabsHandlers) {
    this.#handlers = handlers;
    this.#bus = new BroadcastChannel(name);
    this.#bus.onmessage = (e) => this.#receive(e.data as TabMessage);
    navigator.locks.request(name, { signal: this.#abort.signal }, () => {
      if (this.#closed) return;
      this.#leader = true;
      this.#leaderTab = this.id;
      // Tabs that vanished without a goodbye drop out: only live ones answer.
      this.#peers.clear();
      this.#post({ t: "roll", tab: this.id });
      this.#handlers.onLeader();
      return new Promise<void>((resolve) => (this.#release = resolve));
    }).catch(() => {/* aborted by close() */});
  }

  get isLeader(): boolean {
    return this.#leader;
  }

  /** The other tabs' interests. */
  peers(): Interest[] {
    return [...this.#peers.values()];
  }

  /** Tells the other tabs (and so the leader) what this tab listens to. */
  announce(interest: Interest): void {
    this.#mine = interest;
    this.#post({ t: "hello", tab: this.id, interest });
  }

  /** (leader) Hands an event received through connection `via` to the other tabs. */
  relay(record: StreamRecord, via: string): void {
    this.#post({ t: "event", record, via });
  }

  /**
   * (leader) Tells the other tabs its connections: status, the channels each
   * carries (a tab catching up from a `since` reads history once its channels
   * are carried, so nothing published after that read is missed) and groups.
   */
  status(connections: CarrierState[]): void {
    this.#lastStatus = connections;
    this.#post({ t: "status", tab: this.id, connections });
  }

  /** Leaves: says goodbye and releases the lock, so another tab takes over. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#post({ t: "bye", tab: this.id });
    this.#abort.abort();
    this.#release?.();
    this.#bus.close();
  }

  #post(message: TabMessage) {
    if (!this.#closed || message.t === "bye") this.#bus.postMessage(message);
  }

  #receive(m: TabMessage) {
    if (this.#closed) return;
    switch (m.t) {
      case "hello":
        this.#peers.set(m.tab, m.interest);
        if (this.#leader) {
          this.#handlers.onPeersChange();
          // A new tab learns the status without waiting for a change.
          if (this.#lastStatus) this.status(this.#lastStatus);
        }
        break;
      case "bye":
        this.#peers.delete(m.tab);
        if (this.#leader) this.#handlers.onPeersChange();
        else if (m.tab === this.#leaderTab) {
          this.#leaderTab = null;
          this.#handlers.onStatus(null);
        }
        break;
      case "roll":
        this.#leaderTab = m.tab;
        this.#post({ t: "hello", tab: this.id, interest: this.#mine });
        break;
      case "event":
        if (!this.#leader) this.#handlers.onRelay(m.record, m.via);
        break;
      case "status":
        if (!this.#leader) {
          this.#leaderTab = m.tab;
          this.#handlers.onStatus(m.connections ?? []);
        }
        break;
    }
  }
}

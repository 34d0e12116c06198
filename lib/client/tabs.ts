/**
 * Shares one event stream between the tabs of an origin: a Web Lock elects the leader
 * that holds the connection and relays events over a BroadcastChannel.
 *
 * @module
 */
import type { StreamRecord, StreamStatus } from "./connection.ts";

/** What one tab listens to. */
export interface Interest {
  channels: string[];
  events: string[];
}

type TabMessage =
  | { t: "hello"; tab: string; interest: Interest }
  | { t: "bye"; tab: string }
  | { t: "roll"; tab: string }
  | { t: "event"; record: StreamRecord }
  | { t: "status"; tab: string; status: StreamStatus; channels: string[] };

export interface TabsHandlers {
  /** This tab now holds the connection for all tabs. */
  onLeader(): void;
  /** (leader) Another tab's interest changed; open with the new union. */
  onPeersChange(): void;
  /** (follower) An event the leader received. */
  onRelay(record: StreamRecord): void;
  /** (follower) The leader's connection status, and the channels it carries. */
  onStatus(status: StreamStatus, channels: string[]): void;
}

export class Tabs {
  readonly id = crypto.randomUUID();
  #leader = false;
  #leaderTab: string | null = null;
  #bus: BroadcastChannel;
  #peers = new Map<string, Interest>();
  #mine: Interest = { channels: [], events: [] };
  #lastStatus: { status: StreamStatus; channels: string[] } | null = null;
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

  /** (leader) Hands an event to the other tabs. */
  relay(record: StreamRecord): void {
    this.#post({ t: "event", record });
  }

  /**
   * (leader) Tells the other tabs the connection's status and the channels
   * it carries: a tab catching up from a `since` reads history once its
   * channels are carried, so nothing published after that read is missed.
   */
  status(status: StreamStatus, channels: string[]): void {
    this.#lastStatus = { status, channels };
    this.#post({ t: "status", tab: this.id, status, channels });
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
          if (this.#lastStatus) {
            this.status(this.#lastStatus.status, this.#lastStatus.channels);
          }
        }
        break;
      case "bye":
        this.#peers.delete(m.tab);
        if (this.#leader) this.#handlers.onPeersChange();
        else if (m.tab === this.#leaderTab) {
          this.#leaderTab = null;
          this.#handlers.onStatus("reconnecting", []);
        }
        break;
      case "roll":
        this.#leaderTab = m.tab;
        this.#post({ t: "hello", tab: this.id, interest: this.#mine });
        break;
      case "event":
        if (!this.#leader) this.#handlers.onRelay(m.record);
        break;
      case "status":
        if (!this.#leader) {
          this.#leaderTab = m.tab;
          this.#handlers.onStatus(m.status, m.channels ?? []);
        }
        break;
    }
  }
}

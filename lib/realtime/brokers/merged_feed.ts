/**
 * Local delivery for the log broker: every subscribed channel in ONE id order, each
 * event once, live events and catch-ups merged, with loss detection (see
 * ARCHITECTURE.md, Ordering and The log broker).
 *
 * @module
 */
import type { HeraldEvent, LostEvents } from "../types.ts";
import type { Listener } from "./listeners.ts";

/** Where to read one channel from. */
export interface ChannelPosition {
  channel: string;
  /** Only events with a greater id. */
  after: string;
}

/** What one read of a catch-up found. */
export interface FeedPages {
  /** For each position, the channel's history after it, oldest first, at most `pageSize` events. */
  pages: HeraldEvent[][];
  /**
   * How far the pages are complete when less than the head (a store that
   * finds moved channels in a change feed read one page of it): events
   * above it wait for the next pass.
   */
  through?: string;
  /**
   * The channels that moved after the oldest position, when the store knows
   * (a change feed): no other channel can have lost an event, so the loss
   * check asks only about these.
   */
  moved?: ReadonlySet<string>;
}

/** The store a feed catches up from. */
export interface FeedSource {
  /** The store's newest id: every event at or below it is visible in history. */
  head(): Promise<string>;
  /** The subscribed channels' history after their positions, up to `head`. */
  readAfter(positions: ChannelPosition[], head: string): Promise<FeedPages>;
  readonly pageSize: number;
  /** The newest id the channel's history no longer holds, or null. */
  trimmedThrough(channel: string): Promise<string | null>;
  /** History's age cut-off now: an older id may have been trimmed by age. */
  ageCutoff(): string;
}

/** Told when a catch-up finds that history dropped events of its channel. */
export type LostListener = (info: LostEvents) => void;

interface ChannelState {
  listeners: Set<Listener>;
  lost: Map<Listener, LostListener>;
  /** The store's head when the channel was subscribed: older events are not its subscribers'. */
  since: string;
}

const MAX_PENDING = 10_000;
const RETRY_MS = 1000;

export class MergedFeed {
  #channels = new Map<string, ChannelState>();
  #cursor: string;
  #holding = false;
  #pending: HeraldEvent[] = [];
  #running: Promise<void> | null = null;
  #again = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(private readonly source: FeedSource, cursor: string) {
    this.#cursor = cursor;
  }

  /** The newest id delivered (or passed) on every channel. */
  get cursor(): string {
    return this.#cursor;
  }

  /** Channels with at least one listener. */
  get size(): number {
    return this.#channels.size;
  }

  has(channel: string): boolean {
    return this.#channels.has(channel);
  }

  /**
   * Where a new listener of `channel` starts: the feed's cursor when the
   * channel is already followed, else the store's head (older events are
   * history's, not this subscriber's).
   */
  async startOf(channel: string): Promise<string> {
    return this.has(channel) ? this.#cursor : await this.source.head();
  }

  channels(): string[] {
    return [...this.#channels.keys()];
  }

  /**
   * Adds a listener; a channel's first listener gets the channel's events
   * after `since`; `onLost` hears of events history dropped before this
   * feed could deliver them. True when it is the channel's first.
   */
  add(
    channel: string,
    listener: Listener,
    since: string,
    onLost?: LostListener,
  ): boolean {
    let state = this.#channels.get(channel);
    const first = !state;
    if (!state) {
      state = { listeners: new Set(), lost: new Map(), since };
      this.#channels.set(channel, state);
    }
    state.listeners.add(listener);
    if (onLost) state.lost.set(listener, onLost);
    return first;
  }

  /** Removes a listener; true when its channel has none left. */
  remove(channel: string, listener: Listener): boolean {
    const state = this.#channels.get(channel);
    if (!state || !state.listeners.delete(listener)) return false;
    state.lost.delete(listener);
    if (state.listeners.size > 0) return false;
    this.#channels.delete(channel);
    return true;
  }

  /** A live event: delivered now, or after the catch-up that runs or is due. */
  offer(e: HeraldEvent): void {
    if (this.#closed) return;
    if (!this.#holding) return this.#deliver(e);
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending = [];
      this.#again = true;
      return;
    }
    this.#pending.push(e);
  }

  /** Buffers live events until the next catch-up completes (e.g. while resubscribing). */
  hold(): void {
    this.#holding = true;
  }

  /**
   * Delivers, merged in id order, everything in history after the cursor up
   * to the store's head, then the buffered live events. A call while one
   * runs makes it read once more. On a failure it retries after a second
   * until it succeeds or the feed closes.
   */
  catchUp(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#holding = true;
    if (this.#running) {
      this.#again = true;
      return this.#running;
    }
    clearTimeout(this.#retry);
    const run = this.#run().finally(() => {
      this.#running = null;
    });
    this.#running = run;
    return run;
  }

  /** Resolves when no catch-up is running (for an orderly close). */
  idle(): Promise<void> {
    return (this.#running ?? Promise.resolve()).catch(() => {});
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#pending = [];
    this.#channels.clear();
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again && !this.#closed);
      const pending = this.#pending.sort(byId);
      this.#pending = [];
      this.#holding = false;
      for (const e of pending) this.#deliver(e);
    } catch (err) {
      if (this.#closed) return;
      this.#retry = setTimeout(() => {
        this.catchUp().catch(() => {/* it schedules its own retry */});
      }, RETRY_MS);
      throw err;
    }
  }

  // Everything after the cursor up to the head, merged; see ARCHITECTURE.md, The log broker.
  async #pass(): Promise<void> {
    const head = await this.source.head();
    const channels = this.channels(); // after the head: see ARCHITECTURE.md, The log broker
    while (!this.#closed && this.#cursor < head) {
      const positions = channels.map((channel) => {
        const since = this.#channels.get(channel)?.since ?? this.#cursor;
        return { channel, after: since > this.#cursor ? since : this.#cursor };
      });
      const { pages, through, moved } = await this.source.readAfter(
        positions,
        head,
      );
      const losses = await this.#losses(positions, pages, moved);
      let cut = through !== undefined && through < head ? through : head;
      for (const page of pages) {
        const last = page.at(-1)?.id;
        if (page.length >= this.source.pageSize && last && last < cut) {
          cut = last;
        }
      }
      const events = pages.flat().filter((e) => e.id <= cut).sort(byId);
      for (const loss of losses) this.#lose(loss);
      for (const e of events) this.#deliver(e);
      if (cut > this.#cursor) this.#cursor = cut;
    }
  }

  // The channels whose history was trimmed past their position (ARCHITECTURE.md, The log broker).
  async #losses(
    positions: ChannelPosition[],
    pages: HeraldEvent[][],
    moved?: ReadonlySet<string>,
  ): Promise<LostEvents[]> {
    const cutoff = this.source.ageCutoff();
    const suspects = positions.filter(({ channel, after }, i) =>
      (pages[i].length >= this.source.pageSize || after < cutoff) &&
      (!moved || moved.has(channel))
    );
    const trimmed = await Promise.all(
      suspects.map(({ channel }) => this.source.trimmedThrough(channel)),
    );
    const losses: LostEvents[] = [];
    suspects.forEach(({ channel, after }, i) => {
      const through = trimmed[i];
      if (through !== null && through > after) {
        losses.push({ channel, after, trimmedThrough: through });
      }
    });
    return losses;
  }

  #lose(loss: LostEvents): void {
    if (this.#closed) return;
    const state = this.#channels.get(loss.channel);
    if (!state) return;
    for (const onLost of [...state.lost.values()]) {
      try {
        onLost({ ...loss });
      } catch (err) {
        console.error(`herald: a subscriber of ${loss.channel} threw`, err);
      }
    }
  }

  #deliver(e: HeraldEvent): void {
    if (this.#closed || e.id <= this.#cursor) return;
    this.#cursor = e.id;
    const state = this.#channels.get(e.channel);
    if (!state) return;
    for (const listener of [...state.listeners]) {
      try {
        listener(e);
      } catch (err) {
        console.error(`herald: a subscriber of ${e.channel} threw`, err);
      }
    }
  }
}

function byId(a: HeraldEvent, b: HeraldEvent): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

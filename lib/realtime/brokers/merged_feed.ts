/**
 * Local delivery for the brokers whose events come from a shared store
 * (redis, kv): every channel this process subscribes to, delivered to its
 * listeners in ONE id order across channels, each event once. A
 * multi-channel stream resumes every channel after one `Last-Event-ID`, so
 * delivering B:10 before A:9 would lose A:9 on a resume after B:10.
 *
 * Two ways in:
 * - {@link MergedFeed.offer}: a live event (redis pub/sub, which already
 *   arrives in publish order on the one subscriber connection).
 * - {@link MergedFeed.catchUp}: reads history at a consistent cut. It reads
 *   the store's head (the id clock) FIRST: every event with an id at or below
 *   it is already visible, because a store commits ids in id order (kv: the
 *   clock is checked and written in the same atomic commit as the log entry;
 *   redis: one Lua script). Then it asks the store for each subscribed
 *   channel's events after the cursor, up to the head (the kv store finds
 *   the channels that moved in its change feed and reads only those), merges
 *   the pages and delivers them in id order. A full page, or a store that
 *   read only part of its change feed (`through`), lowers the cut and the
 *   next pass goes on from there, so memory stays at one page per channel.
 *
 * One cursor for the whole process: everything at or below it has been
 * delivered on every subscribed channel. A channel added later starts after
 * `since` (the store's head when it subscribed), so it never gets old events.
 * A channel added while a catch-up runs is not in that pass: its events up to
 * the pass's cut were published before the head was read, i.e. before it was
 * added, so skipping them is right.
 *
 * Lost events: a catch-up cannot deliver what history already dropped (more
 * events than the history limit during one outage or one poll, or older than
 * its age bound). So for each channel whose page is full (a count trim only
 * drops events when at least a page of newer ones exists) or whose position
 * is older than the age cut-off, it asks the store how far history was
 * trimmed; when that is past the channel's position it calls the channel's
 * `onLost` listeners, then delivers what history still holds. Those two
 * conditions, and a store's list of the channels that moved (`moved`: no
 * other channel can have lost anything), keep the extra read off the
 * frequent kv poll. It assumes every instance has the same history limit.
 *
 * Live events offered while a catch-up runs (or after {@link MergedFeed.hold})
 * wait in a bounded buffer and go out after it; if the buffer overflows it is
 * dropped and the catch-up reads once more, since every live event is also in
 * history.
 *
 * @example
 * ```ts
 * const feed = new MergedFeed({ head, readAfter, pageSize: 1000 }, await head());
 * feed.add("room:a", (e) => console.log(e.id), await head());
 * await feed.catchUp(); // e.g. on every poll tick
 * ```
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

  // Everything after the cursor up to the head, merged; see the module doc.
  async #pass(): Promise<void> {
    const head = await this.source.head();
    const channels = this.channels(); // after the head: see the module doc
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

  // The channels whose history was trimmed past their position (see the module doc).
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

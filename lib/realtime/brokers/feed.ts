/**
 * One channel's local delivery for the brokers whose events come from a
 * shared store (redis, kv): it remembers the last id delivered, catches up
 * from history after it, and delivers every event once, in id order, to the
 * channel's local listeners.
 *
 * Live events offered while a catch-up runs wait in a bounded buffer and are
 * delivered after it; if the buffer overflows it is dropped and the catch-up
 * reads once more, since every live event is also in history.
 *
 * @module
 */
import type { HeraldEvent } from "../types.ts";
import type { Listener } from "./listeners.ts";

/** Reads the channel's history after an id, oldest first, at most `pageSize` events. */
export type ReadAfter = (after: string) => Promise<HeraldEvent[]>;

const MAX_PENDING = 10_000;
const RETRY_MS = 1000;

export class ChannelFeed {
  readonly listeners = new Set<Listener>();

  /** Resolves when no catch-up is running (for an orderly close). */
  idle(): Promise<void> {
    return (this.#running ?? Promise.resolve()).catch(() => {});
  }
  #last: string;
  #pending: HeraldEvent[] = [];
  #catchingUp = false;
  #running: Promise<void> | null = null;
  #again = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(
    readonly channel: string,
    /** Deliver only events after this id. */
    after: string,
    private readonly readAfter: ReadAfter,
    private readonly pageSize: number,
  ) {
    this.#last = after;
  }

  /** The id of the newest event delivered (or the starting point). */
  get last(): string {
    return this.#last;
  }

  /** A live event: delivered now, or after the running catch-up. */
  offer(e: HeraldEvent): void {
    if (this.#closed) return;
    if (!this.#catchingUp) return this.#deliver(e);
    if (this.#pending.length >= MAX_PENDING) {
      this.#pending = [];
      this.#again = true;
      return;
    }
    this.#pending.push(e);
  }

  /**
   * Delivers everything in history after the last delivered id, then the
   * buffered live events. Calls while one runs make it read once more. On a
   * failure it retries after a second until it succeeds or the feed closes.
   */
  catchUp(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#catchingUp = true;
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

  close(): void {
    this.#closed = true;
    clearTimeout(this.#retry);
    this.#pending = [];
    this.listeners.clear();
  }

  async #run(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#drain();
      } while (this.#again && !this.#closed);
      const pending = this.#pending.sort((a, b) => a.id < b.id ? -1 : 1);
      this.#pending = [];
      this.#catchingUp = false;
      for (const e of pending) this.#deliver(e);
    } catch (err) {
      if (this.#closed) return;
      this.#retry = setTimeout(() => {
        this.catchUp().catch(() => {/* it schedules its own retry */});
      }, RETRY_MS);
      throw err;
    }
  }

  async #drain(): Promise<void> {
    while (!this.#closed) {
      const page = await this.readAfter(this.#last);
      for (const e of page) this.#deliver(e);
      if (page.length < this.pageSize) return;
    }
  }

  #deliver(e: HeraldEvent): void {
    if (this.#closed || e.id <= this.#last) return;
    this.#last = e.id;
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch (err) {
        console.error(`herald: a subscriber of ${e.channel} threw`, err);
      }
    }
  }
}

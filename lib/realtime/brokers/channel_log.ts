/**
 * An in-process, bounded history of one channel (count and age), used by the
 * memory and broadcast brokers.
 *
 * @module
 */
import type { HeraldEvent, HistoryOptions } from "../types.ts";
import { type HistoryBounds, readLimit } from "./bounds.ts";

export class ChannelLog {
  #events: HeraldEvent[] = [];
  #trimmedThrough: string | null = null;

  constructor(private readonly bounds: HistoryBounds) {}

  /**
   * Adds an event in id order (events from elsewhere may arrive late; an id
   * already held is ignored). False when it was a duplicate.
   */
  append(e: HeraldEvent, now = Date.now()): boolean {
    const events = this.#events;
    let i = events.length;
    while (i > 0 && events[i - 1].id > e.id) i--;
    if (i > 0 && events[i - 1].id === e.id) return false;
    if (this.#trimmedThrough !== null && e.id <= this.#trimmedThrough) {
      return false;
    }
    events.splice(i, 0, e);
    this.trim(now);
    return true;
  }

  /** Drops events beyond the count bound and older than the age bound. */
  trim(now = Date.now()): void {
    const events = this.#events;
    const cutoff = now - this.bounds.ttlMs;
    let drop = Math.max(0, events.length - this.bounds.limit);
    while (drop < events.length && events[drop].time < cutoff) drop++;
    if (drop === 0) return;
    this.#trimmedThrough = events[drop - 1].id;
    events.splice(0, drop);
  }

  history(opts: HistoryOptions = {}, now = Date.now()): HeraldEvent[] {
    this.trim(now);
    const limit = readLimit(opts.limit, this.bounds);
    if (limit === 0) return [];
    const events = this.#events;
    let end = events.length;
    if (opts.before !== undefined) {
      const before = opts.before;
      while (end > 0 && events[end - 1].id >= before) end--;
    }
    if (opts.after === undefined) {
      return events.slice(Math.max(0, end - limit), end);
    }
    const after = opts.after;
    let start = end;
    while (start > 0 && events[start - 1].id > after) start--;
    return events.slice(start, Math.min(start + limit, end));
  }

  trimmedThrough(now = Date.now()): string | null {
    this.trim(now);
    return this.#trimmedThrough;
  }

  get empty(): boolean {
    return this.#events.length === 0 && this.#trimmedThrough === null;
  }
}

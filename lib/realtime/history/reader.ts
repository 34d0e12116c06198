/**
 * Bounded history reads: a channel's history in small broker reads, stopping at a byte
 * cap, so a reader holds at most one page whatever `limit` it asks for.
 *
 * @module
 */
import type { Broker, HeraldEvent } from "../types.ts";

/** Defaults for readers that are not given the process's config. */
export const DEFAULT_PAGE_BYTES = 1024 * 1024;
export const DEFAULT_MAX_EVENT_BYTES = 64 * 1024 + 512;

export interface PageOptions {
  /** Oldest events after this id (forward); without it the newest ones. */
  after?: string;
  /** Only events below this id (backward paging). */
  before?: string;
  /** At most this many events. */
  limit: number;
  /** At most this many bytes of event JSON (at least one event is returned). */
  maxBytes?: number;
  /** The largest event a channel can hold, as JSON: sizes each broker read. */
  maxEventBytes?: number;
}

export interface HistoryPage {
  /** Oldest first. */
  events: HeraldEvent[];
  /** Each event's JSON, in the same order (what the byte cap counted). */
  json: string[];
  /** Bytes of `json`. */
  bytes: number;
  /** True when the byte cap stopped the page before `limit` and more exist. */
  more: boolean;
}

/** Events per broker read so that one read holds at most `bytes`. */
export function eventsPerRead(bytes: number, maxEventBytes: number): number {
  return Math.max(1, Math.floor(bytes / maxEventBytes));
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff) i++, bytes += 1; // pair: 4 bytes for 2 units
    else bytes += 2;
  }
  return bytes;
}

/**
 * One page of a channel's history, read `eventsPerRead` at a time: forward
 * from `after`, or backward from `before` (or the newest) when there is no
 * `after`. Stops at `limit` events or `maxBytes`, whichever comes first.
 */
export async function readHistoryPage(
  broker: Pick<Broker, "history">,
  channel: string,
  opts: PageOptions,
): Promise<HistoryPage> {
  const maxBytes = opts.maxBytes ?? DEFAULT_PAGE_BYTES;
  const per = eventsPerRead(
    maxBytes,
    opts.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES,
  );
  const forward = opts.after !== undefined;
  const events: HeraldEvent[] = [];
  const json: string[] = [];
  let bytes = 0;
  let more = false;
  let after = opts.after;
  let before = opts.before;
  read: while (events.length < opts.limit) {
    const want = Math.min(per, opts.limit - events.length);
    const batch = await broker.history(channel, { after, before, limit: want });
    // Forward pages take the batch oldest first, backward ones newest first.
    const ordered = forward ? batch : [...batch].reverse();
    for (const event of ordered) {
      const text = JSON.stringify(event);
      const size = utf8Length(text);
      if (events.length > 0 && bytes + size > maxBytes) {
        more = true;
        break read;
      }
      events.push(event);
      json.push(text);
      bytes += size;
    }
    if (batch.length < want) break;
    if (forward) after = batch[batch.length - 1].id;
    else before = batch[0].id;
  }
  if (!forward) {
    events.reverse();
    json.reverse();
  }
  return { events, json, bytes, more };
}

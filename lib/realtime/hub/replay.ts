/**
 * The history a resuming stream replays, read page by page within the stream's byte
 * budget and merged in id order (ARCHITECTURE.md, The hub).
 *
 * @module
 */
import type { Broker, HeraldEvent } from "../types.ts";
import { eventsPerRead } from "../history/reader.ts";

export class ReplayLost extends Error {
  constructor(readonly channel: string) {
    super(`history of ${channel} was trimmed during the replay`);
    this.name = "ReplayLost";
  }
}

export interface ReplayRange {
  /** The resume id: events after it. */
  after: string;
  /** The head read before any history: events up to it. */
  head: string;
  /** Each channel's trimmedThrough when the replay began (a gap already told). */
  trimmed: Map<string, string | null>;
  lookaheadBytes: number;
  maxEventBytes: number;
}

interface Cursor {
  channel: string;
  after: string;
  /** The position history may be trimmed through without a loss. */
  safe: string;
  buffer: HeraldEvent[];
  done: boolean;
}

export async function* replayHistory(
  broker: Broker,
  channels: string[],
  range: ReplayRange,
): AsyncGenerator<HeraldEvent> {
  const per = eventsPerRead(
    range.lookaheadBytes / channels.length,
    range.maxEventBytes,
  );
  const cursors: Cursor[] = channels.map((channel) => {
    const trimmed = range.trimmed.get(channel) ?? null;
    return {
      channel,
      after: range.after,
      safe: trimmed !== null && trimmed > range.after ? trimmed : range.after,
      buffer: [],
      done: false,
    };
  });
  const fill = async (cursor: Cursor) => {
    const page = await broker.history(cursor.channel, {
      after: cursor.after,
      limit: per,
    });
    const trimmed = await broker.trimmedThrough(cursor.channel);
    if (trimmed !== null && trimmed > cursor.safe) {
      throw new ReplayLost(cursor.channel);
    }
    for (const event of page) {
      if (event.id > range.head) break;
      cursor.buffer.push(event);
    }
    const last = page.at(-1)?.id;
    if (last !== undefined) cursor.after = cursor.safe = last;
    if (page.length < per || last === undefined || last >= range.head) {
      cursor.done = true;
    }
  };
  while (true) {
    await Promise.all(
      cursors.filter((c) => c.buffer.length === 0 && !c.done).map(fill),
    );
    let next: Cursor | undefined;
    for (const c of cursors) {
      if (c.buffer.length === 0) continue;
      if (!next || c.buffer[0].id < next.buffer[0].id) next = c;
    }
    if (!next) return;
    yield next.buffer.shift()!;
  }
}

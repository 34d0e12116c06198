/**
 * One client's stream inside the hub: the seam between replay and live (see
 * ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import type { HeraldMetrics } from "../../metrics/metrics.ts";
import type { HeraldEvent } from "../types.ts";
import { encodeEvent } from "../sse/encode.ts";
import { Outbox } from "./outbox.ts";
import {
  type WireBatch,
  type WireEvent,
  WireEvent as Wire,
  type WireForm,
} from "./wire.ts";

export class HubStream {
  #replaying = true;
  #pending: WireEvent[] = [];
  #pendingBytes = 0;
  /** The newest id sent or resumed after: nothing at or below it goes out. */
  #watermark: string | null = null;
  /** While replaying, the head: live events at or below it come from history. */
  #head: string | null = null;
  /** Events written on this stream so far. */
  sent = 0;

  /**
   * `select`, when given, picks the events this stream sends (others are
   * skipped, live and in replay): e.g. a Mercure stream's topic matchers.
   */
  constructor(
    readonly outbox: Outbox,
    readonly channels: string[],
    readonly form: WireForm,
    readonly select?: (event: HeraldEvent) => boolean,
    private readonly metrics?: HeraldMetrics,
  ) {}

  /** The listener given to the channel subscriptions. */
  readonly live = (batch: WireBatch): void => {
    if (this.outbox.closed) return;
    if (
      !this.#replaying && !this.select &&
      (this.#watermark === null || batch.firstId > this.#watermark)
    ) {
      // The common case: the whole batch is new to this stream, one write.
      this.#watermark = batch.lastId;
      if (!this.outbox.send(batch.bytes(this.form))) return;
      this.sent += batch.events.length;
      this.metrics?.delivered(batch.events.length);
      return;
    }
    for (const wire of batch.events) this.#live(wire);
  };

  #live(wire: WireEvent): void {
    if (this.outbox.closed) return;
    if (this.select && !this.select(wire.event)) return;
    if (!this.#replaying) {
      this.#deliver(wire);
      return;
    }
    if (this.#head !== null && wire.event.id <= this.#head) return;
    this.#pending.push(wire);
    this.#pendingBytes += this.#size(wire);
    // Waiting live events count against the same bound as the outgoing buffer.
    if (this.#pendingBytes > this.outbox.limitBytes) {
      this.outbox.close("too slow");
    }
  }

  /** Nothing at or below `id` will be sent (the client has it). */
  resumeAfter(id: string): void {
    if (this.#watermark === null || id > this.#watermark) this.#watermark = id;
  }

  /** Tells the client that `channel`'s history no longer reaches back far enough. */
  sendGap(channel: string, lastEventId: string, trimmedThrough: string): void {
    this.metrics?.gapSent();
    this.outbox.send(encodeEvent({
      event: "gap",
      data: JSON.stringify({ channel, lastEventId, trimmedThrough }),
    }));
  }

  /**
   * Sends, at the client's pace, the events at or below `head` from
   * `history` (every channel's, in id order, read after `head` was taken
   * and page by page: see replay.ts). Live events at or below `head` are
   * dropped (history has them); what is above it waits for {@link goLive}.
   * A client that takes nothing for `stallMs` is cut. Resolves with the
   * number of events sent from history.
   */
  async replay(
    history: AsyncIterable<HeraldEvent>,
    head: string,
    stallMs = Infinity,
  ): Promise<number> {
    let sent = 0;
    this.#head = head;
    const later: WireEvent[] = [];
    for (const wire of this.#pending) {
      if (wire.event.id <= head) this.#pendingBytes -= this.#size(wire);
      else later.push(wire);
    }
    this.#pending = later;
    for await (const event of history) {
      if (event.id > head) continue;
      if (this.select && !this.select(event)) continue;
      const wire = new Wire(event);
      await this.outbox.waitForRoom(this.#size(wire), stallMs);
      if (this.outbox.closed) return sent;
      if (this.#deliver(wire)) sent++;
    }
    this.resumeAfter(head);
    return sent;
  }

  /** Ends the replay: the waiting live events go out, then live is direct. */
  goLive(): void {
    // Already in id order from the live feed; the sort costs nothing then.
    const pending = this.#pending.sort(byId);
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#replaying = false;
    for (const wire of pending) {
      if (this.outbox.closed) return;
      this.#deliver(wire);
    }
  }

  /** Writes one event unless already sent; true when it went out. */
  #deliver(wire: WireEvent): boolean {
    const { id } = wire.event;
    if (this.#watermark !== null && id <= this.#watermark) return false;
    this.#watermark = id;
    if (!this.outbox.send(wire.bytes(this.form))) return false;
    this.sent++;
    this.metrics?.delivered();
    return true;
  }

  #size(wire: WireEvent): number {
    return wire.bytes(this.form).byteLength;
  }
}

function byId(a: WireEvent, b: WireEvent): number {
  const x = a.event.id;
  const y = b.event.id;
  return x < y ? -1 : x > y ? 1 : 0;
}

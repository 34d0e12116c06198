/**
 * One client's stream inside the hub: the seam between replay and live.
 * Live events that arrive while history is being replayed wait in a bounded
 * pending list; after the replay they go out unless their id was already
 * sent. Per channel, an id at or below the last one sent is never sent again,
 * so the seam has no duplicate, and because the broker subscription exists
 * before history is read, it has no gap.
 *
 * @module
 */
import type { HeraldEvent } from "../types.ts";
import { encodeEvent } from "../sse/encode.ts";
import { Outbox } from "./outbox.ts";
import { type WireEvent, WireEvent as Wire, type WireForm } from "./wire.ts";

export class HubStream {
  #replaying = true;
  #pending: WireEvent[] = [];
  #pendingBytes = 0;
  #lastSent = new Map<string, string>();

  constructor(
    readonly outbox: Outbox,
    readonly channels: string[],
    readonly form: WireForm,
  ) {}

  /** The listener given to the channel subscriptions. */
  readonly live = (wire: WireEvent): void => {
    if (this.outbox.closed) return;
    if (!this.#replaying) {
      this.#deliver(wire);
      return;
    }
    this.#pending.push(wire);
    this.#pendingBytes += wire.bytes(this.form).byteLength;
    // Waiting live events count against the same bound as the outgoing buffer.
    if (this.#pendingBytes > this.outbox.limitBytes) {
      this.outbox.close("too slow");
    }
  };

  /** Nothing at or below `id` will be sent on any channel (the client has it). */
  resumeAfter(id: string): void {
    for (const channel of this.channels) this.#lastSent.set(channel, id);
  }

  /** Tells the client that `channel`'s history no longer reaches back far enough. */
  sendGap(channel: string, lastEventId: string, trimmedThrough: string): void {
    this.outbox.send(encodeEvent({
      event: "gap",
      data: JSON.stringify({ channel, lastEventId, trimmedThrough }),
    }));
  }

  /** Sends replayed history events (already in id order) at the client's pace. */
  async replay(events: HeraldEvent[]): Promise<void> {
    for (const event of events) {
      const wire = new Wire(event);
      await this.outbox.waitForRoom(wire.bytes(this.form).byteLength);
      if (this.outbox.closed) return;
      this.#deliver(wire);
    }
  }

  /** Ends the replay: the waiting live events go out, then live is direct. */
  goLive(): void {
    const pending = this.#pending;
    this.#pending = [];
    this.#pendingBytes = 0;
    for (const wire of pending) {
      if (this.outbox.closed) return;
      this.#deliver(wire);
    }
    this.#replaying = false;
  }

  #deliver(wire: WireEvent): void {
    const { id, channel } = wire.event;
    const last = this.#lastSent.get(channel);
    if (last !== undefined && id <= last) return;
    this.#lastSent.set(channel, id);
    this.outbox.send(wire.bytes(this.form));
  }
}

/**
 * The wire forms of an event (`payload`, `envelope`, or another protocol's own),
 * each encoded at most once per event (ARCHITECTURE.md, The wire).
 *
 * @module
 */
import type { HeraldEvent } from "../types.ts";
import { encodeEvent } from "../sse/encode.ts";

/** Another protocol's encoding of an event; one `name` per encoding (the cache key). */
export interface CustomWireForm {
  readonly name: string;
  encode(event: HeraldEvent): Uint8Array;
}

export type WireForm = "payload" | "envelope" | CustomWireForm;

function json(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** SSE bytes of `event` in `form` (encodes every time; see {@link WireEvent} to share). */
export function encodeHeraldEvent(
  event: HeraldEvent,
  form: WireForm,
): Uint8Array {
  if (typeof form !== "string") return form.encode(event);
  const data = form === "payload" ? json(event.data) : json({
    id: event.id,
    channel: event.channel,
    event: event.event,
    data: event.data,
    time: event.time,
  });
  return encodeEvent({
    id: event.id,
    // "message" is what EventSource assumes without an event field.
    event: event.event === "message" ? undefined : event.event,
    data,
  });
}

/** An event with its encodings cached, shared by every local subscriber. */
export class WireEvent {
  #payload?: Uint8Array;
  #envelope?: Uint8Array;
  #custom?: Map<string, Uint8Array>;
  /** How many times this event was encoded (for tests: at most once per form). */
  encodings = 0;

  constructor(readonly event: HeraldEvent) {}

  bytes(form: WireForm): Uint8Array {
    if (form === "payload") return this.#payload ??= this.#encode(form);
    if (form === "envelope") return this.#envelope ??= this.#encode(form);
    this.#custom ??= new Map();
    let bytes = this.#custom.get(form.name);
    if (!bytes) this.#custom.set(form.name, bytes = this.#encode(form));
    return bytes;
  }

  #encode(form: WireForm): Uint8Array {
    this.encodings++;
    return encodeHeraldEvent(this.event, form);
  }
}

/**
 * Consecutive events of one channel handed to its local streams together: a
 * stream that takes them all writes them as one chunk (one enqueue, one write
 * on the socket) instead of one per event. Events are in id order.
 */
export class WireBatch {
  #joined?: Map<string, Uint8Array>;

  constructor(readonly events: readonly WireEvent[]) {}

  get firstId(): string {
    return this.events[0].event.id;
  }

  get lastId(): string {
    return this.events[this.events.length - 1].event.id;
  }

  /** The events' bytes in `form`, back to back; joined at most once per form. */
  bytes(form: WireForm): Uint8Array {
    if (this.events.length === 1) return this.events[0].bytes(form);
    const key = typeof form === "string" ? form : form.name;
    this.#joined ??= new Map();
    let joined = this.#joined.get(key);
    if (!joined) this.#joined.set(key, joined = this.#join(form));
    return joined;
  }

  #join(form: WireForm): Uint8Array {
    const parts = this.events.map((wire) => wire.bytes(form));
    const joined = new Uint8Array(
      parts.reduce((sum, part) => sum + part.byteLength, 0),
    );
    let offset = 0;
    for (const part of parts) {
      joined.set(part, offset);
      offset += part.byteLength;
    }
    return joined;
  }
}

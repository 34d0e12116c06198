/**
 * The one Server-Sent Events encoder, following the WHATWG "server-sent events"
 * section (ARCHITECTURE.md, The wire).
 *
 * @module
 */

/** One event (or field block) to write on the wire. */
export interface SseEvent {
  /** Sets the client's last event id; no CR, LF or NUL. */
  id?: string;
  /** Event type; no CR, LF or NUL. Omitted means `"message"`. */
  event?: string;
  /** Payload text; newlines become several `data:` lines. */
  data?: string;
  /** Reconnection delay in milliseconds (non-negative integer). */
  retry?: number;
}

const encoder = new TextEncoder();
const LINE_BREAK = /\r\n|\r|\n/;
const FORBIDDEN_IN_FIELD = /[\r\n\0]/;

function field(name: string, value: string): string {
  // "name:" alone when empty keeps the line free of a trailing space.
  return value === "" ? `${name}:\n` : `${name}: ${value}\n`;
}

function checkField(name: "id" | "event", value: string): void {
  if (FORBIDDEN_IN_FIELD.test(value)) {
    throw new TypeError(`SSE ${name} must not contain CR, LF or NUL`);
  }
}

/** The text of one event block (see {@link encodeEvent}). */
export function eventText(e: SseEvent): string {
  let text = "";
  if (e.retry !== undefined) text += retryLine(e.retry);
  if (e.id !== undefined) {
    checkField("id", e.id);
    text += field("id", e.id);
  }
  if (e.event !== undefined) {
    checkField("event", e.event);
    text += field("event", e.event);
  }
  if (e.data !== undefined) {
    for (const line of e.data.split(LINE_BREAK)) text += field("data", line);
  }
  return text + "\n";
}

/** One event as bytes, ending with a blank line. Throws on CR/LF/NUL in `id`/`event`. */
export function encodeEvent(e: SseEvent): Uint8Array<ArrayBuffer> {
  return encoder.encode(eventText(e));
}

function retryLine(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new TypeError(`SSE retry must be a non-negative integer, got ${ms}`);
  }
  return `retry: ${ms}\n`;
}

/** A `retry:` block, sent first on every stream. */
export function encodeRetry(ms: number): Uint8Array<ArrayBuffer> {
  return encoder.encode(retryLine(ms) + "\n");
}

/** A comment block (`: text`), ignored by clients; used for heartbeats. */
export function encodeComment(text = ""): Uint8Array<ArrayBuffer> {
  const lines = text.split(LINE_BREAK).map((line) =>
    line === "" ? ":\n" : `: ${line}\n`
  );
  return encoder.encode(lines.join("") + "\n");
}

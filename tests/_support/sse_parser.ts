/**
 * The one Server-Sent Events parser of the tests: reads a `fetch` body the
 * way the WHATWG HTML "event stream interpretation" does (lines end in CRLF,
 * CR or LF; `field: value` with one optional space; a blank line dispatches),
 * and also reports `retry:` and comments, which EventSource hides.
 *
 * @example
 * ```ts
 * const res = await fetch(`${url}/api/channels/news/events`);
 * const sse = new SseReader(res.body!);
 * const first = await sse.nextEvent(); // { id, event, data, lastEventId }
 * await sse.cancel();
 * ```
 * @module
 */

export interface SseMessage {
  kind: "event";
  /** The `id:` field of this block, if it had one. */
  id?: string;
  /** The last event id after this block (sticky, as in EventSource). */
  lastEventId: string;
  event: string;
  data: string;
}
export interface SseRetry {
  kind: "retry";
  ms: number;
}
export interface SseComment {
  kind: "comment";
  text: string;
}
export type SseRecord = SseMessage | SseRetry | SseComment;

export class SseReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #text = "";
  #records: SseRecord[] = [];
  #ended = false;
  #lastEventId = "";
  #block: { id?: string; event?: string; data: string[] } = { data: [] };

  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.getReader();
  }

  /** True once the server ended the stream and every record was read. */
  get ended(): boolean {
    return this.#ended && this.#records.length === 0;
  }

  /** The next record (event, retry or comment); null when the stream ended. */
  async next(timeoutMs = 10_000): Promise<SseRecord | null> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no SSE record within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      while (this.#records.length === 0 && !this.#ended) {
        const { done, value } = await Promise.race([
          this.#reader.read(),
          timeout,
        ]);
        if (done) {
          this.#ended = true;
          this.#feed(this.#decoder.decode(), true);
        } else {
          this.#feed(this.#decoder.decode(value, { stream: true }), false);
        }
      }
      return this.#records.shift() ?? null;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The next dispatched event, skipping retry and comments; null at the end. */
  async nextEvent(timeoutMs = 10_000): Promise<SseMessage | null> {
    while (true) {
      const record = await this.next(timeoutMs);
      if (record === null || record.kind === "event") return record;
    }
  }

  /** `count` events (throws if the stream ends first). */
  async events(count: number, timeoutMs = 10_000): Promise<SseMessage[]> {
    const out: SseMessage[] = [];
    while (out.length < count) {
      const event = await this.nextEvent(timeoutMs);
      if (!event) {
        throw new Error(`stream ended after ${out.length} of ${count} events`);
      }
      out.push(event);
    }
    return out;
  }

  /** Reads until the server ends the stream; returns the records left. */
  async rest(timeoutMs = 10_000): Promise<SseRecord[]> {
    const out: SseRecord[] = [];
    for (
      let r = await this.next(timeoutMs);
      r;
      r = await this.next(timeoutMs)
    ) {
      out.push(r);
    }
    return out;
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }

  #feed(chunk: string, final: boolean): void {
    this.#text += chunk;
    // A trailing CR may be the first half of CRLF: wait for more unless final.
    const pattern = /\r\n|\r|\n/g;
    let start = 0;
    for (let m = pattern.exec(this.#text); m; m = pattern.exec(this.#text)) {
      if (m[0] === "\r" && m.index === this.#text.length - 1 && !final) break;
      this.#line(this.#text.slice(start, m.index));
      start = m.index + m[0].length;
    }
    this.#text = this.#text.slice(start);
  }

  #line(line: string): void {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) {
      this.#records.push({ kind: "comment", text: line.slice(1).trimStart() });
      return;
    }
    const colon = line.indexOf(":");
    const name = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "data") this.#block.data.push(value);
    else if (name === "event") this.#block.event = value;
    else if (name === "id" && !value.includes("\0")) this.#block.id = value;
    else if (name === "retry" && /^\d+$/.test(value)) {
      this.#records.push({ kind: "retry", ms: Number(value) });
    }
  }

  #dispatch(): void {
    const block = this.#block;
    this.#block = { data: [] };
    if (block.id !== undefined) this.#lastEventId = block.id;
    if (block.data.length === 0) return;
    this.#records.push({
      kind: "event",
      id: block.id,
      lastEventId: this.#lastEventId,
      event: block.event || "message",
      data: block.data.join("\n"),
    });
  }
}

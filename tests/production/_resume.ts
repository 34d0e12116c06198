/**
 * A stream client that behaves like a browser's EventSource across server
 * restarts: it reads one channel's SSE stream with the raw parser, and when
 * the stream ends (cleanly or not) it reconnects, possibly to another
 * address, with `Last-Event-ID`. Used by the production tests (Deploy-like
 * instance hand-over, nginx rolling restart).
 *
 * @example
 * ```ts
 * const client = new ResumingStream(() => `${url}/api/channels/news/events`);
 * await waitFor(() => client.data.length === 10, "ten events");
 * await client.close();
 * ```
 * @module
 */
import { SseReader } from "../_support/sse_parser.ts";

export class ResumingStream {
  /** `data:` of every event received, in order of arrival. */
  readonly data: string[] = [];
  /** Streams the server ended cleanly (done, no network error). */
  cleanEnds = 0;
  /** Connections that failed or broke (refused, reset). */
  failures = 0;
  /** What broke the last failed connection. */
  lastError: unknown = null;
  /** Successful (200) connections, the first included. */
  connections = 0;
  #lastEventId = "";
  #closed = false;
  #reader: SseReader | null = null;
  readonly #loop: Promise<void>;

  /** `url()` is asked again for every (re)connection. */
  constructor(
    readonly url: () => string,
    readonly options: { retryMs?: number; init?: RequestInit } = {},
  ) {
    this.#loop = this.#run();
  }

  get lastEventId(): string {
    return this.#lastEventId;
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        const headers = new Headers(this.options.init?.headers);
        if (this.#lastEventId) headers.set("last-event-id", this.#lastEventId);
        const res = await fetch(this.url(), { ...this.options.init, headers });
        if (res.status !== 200) {
          await res.body?.cancel();
          this.lastError = new Error(`status ${res.status}`);
          this.failures++;
        } else {
          this.connections++;
          this.#reader = new SseReader(res.body!);
          while (!this.#closed) {
            // No hang guard here: a live stream may be quiet for long.
            const record = await this.#reader.next(24 * 3600_000);
            if (record === null) {
              this.cleanEnds++;
              break;
            }
            if (record.kind !== "event") continue;
            if (record.event === "gap") {
              throw new Error(`unexpected gap: ${record.data}`);
            }
            this.data.push(record.data);
            this.#lastEventId = record.lastEventId;
          }
        }
      } catch (err) {
        if (this.#closed) break;
        if (String(err).includes("unexpected gap")) throw err;
        this.lastError = err;
        this.failures++;
      }
      if (!this.#closed) {
        await new Promise((r) => setTimeout(r, this.options.retryMs ?? 100));
      }
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#reader?.cancel();
    await this.#loop.catch(() => {});
  }

  /** Rejects when the loop failed for good (a `gap`). */
  get done(): Promise<void> {
    return this.#loop;
  }
}

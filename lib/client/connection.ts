/**
 * One `EventSource` that keeps itself alive: reports its status, and when the browser
 * gives up asks the server why, then stops or retries with backoff and jitter.
 *
 * @module
 */
import { backoffDelay, type BackoffOptions } from "./backoff.ts";

/** What a user sees on the connection badge. */
export type StreamStatus = "connecting" | "open" | "reconnecting" | "closed";

/** One event as received: SSE event name, id and raw data. */
export interface StreamRecord {
  name: string;
  id: string;
  data: string;
}

export interface ConnectionOptions {
  /** Named events to listen for; `message` is always listened to. */
  events?: Iterable<string>;
  onEvent: (record: StreamRecord) => void;
  onStatus?: (status: StreamStatus, detail?: string) => void;
  backoff?: BackoffOptions;
  /** Which EventSource to use (defaults to the global one). */
  EventSource?: typeof EventSource;
}

/** Answers after which retrying is pointless. */
const STOP_STATUSES = new Set([204, 400, 401, 403, 404]);

export class Connection {
  #url: () => string;
  #opts: ConnectionOptions;
  #source: EventSource | null = null;
  #names = new Set<string>(["message"]);
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #probe: AbortController | null = null;
  #closed = false;
  /** Bumped on every teardown, so a probe that outlived its source does nothing. */
  #generation = 0;
  status: StreamStatus = "connecting";

  /** `url` is called on every (re)connect, so it can carry the newest `lastEventId`. */
  constructor(url: () => string, opts: ConnectionOptions) {
    this.#url = url;
    this.#opts = opts;
    for (const name of opts.events ?? []) this.#names.add(name);
    this.#open();
  }

  /** Starts listening for one more named event, on this and every later source. */
  listen(name: string): void {
    if (this.#names.has(name)) return;
    this.#names.add(name);
    this.#source?.addEventListener(name, this.#onMessage);
  }

  /** Drops the current source and opens a new one now (e.g. the channel set changed). */
  reopen(): void {
    if (this.#closed) return;
    this.#teardown();
    this.#attempt = 0;
    this.#open();
  }

  /** Stops for good: no reconnect, status `closed`. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#teardown();
    this.#setStatus("closed");
  }

  get closed(): boolean {
    return this.#closed;
  }

  #setStatus(status: StreamStatus, detail?: string) {
    if (status === this.status && !detail) return;
    this.status = status;
    this.#opts.onStatus?.(status, detail);
  }

  #onMessage = (e: Event) => {
    const m = e as MessageEvent;
    this.#opts.onEvent({
      name: m.type,
      id: m.lastEventId,
      data: String(m.data),
    });
  };

  #open() {
    const ES = this.#opts.EventSource ?? globalThis.EventSource;
    this.#setStatus(
      this.#attempt === 0 && this.status !== "reconnecting"
        ? "connecting"
        : "reconnecting",
    );
    const source = new ES(this.#url());
    this.#source = source;
    for (const name of this.#names) {
      source.addEventListener(name, this.#onMessage);
    }
    source.onopen = () => {
      this.#attempt = 0;
      this.#setStatus("open");
    };
    source.onerror = (e) => {
      // A server-sent event named "error" arrives here too, as a MessageEvent:
      // it is data, not a connection problem.
      if (this.#source !== source || e instanceof MessageEvent) return;
      if (source.readyState === source.CONNECTING) {
        // The browser retries by itself (after `retry:`), sending Last-Event-ID.
        this.#setStatus("reconnecting");
        return;
      }
      source.close();
      this.#source = null;
      this.#setStatus("reconnecting");
      this.#whyClosed();
    };
  }

  /** The browser gave up: one plain request tells a stop (204, 4xx) from a passing problem. */
  async #whyClosed() {
    const url = this.#url();
    const generation = this.#generation;
    this.#probe = new AbortController();
    let status = 0;
    try {
      const res = await fetch(url, {
        signal: this.#probe.signal,
        headers: { accept: "text/event-stream" },
      });
      status = res.status;
      await res.body?.cancel();
    } catch {
      // Network error or aborted: treat as passing.
    }
    if (this.#closed || generation !== this.#generation) return;
    this.#probe = null;
    if (STOP_STATUSES.has(status)) {
      this.close();
      if (status !== 204) this.#opts.onStatus?.("closed", `HTTP ${status}`);
      return;
    }
    const delay = backoffDelay(this.#attempt++, this.#opts.backoff);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#closed) this.#open();
    }, delay);
  }

  #teardown() {
    this.#generation++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#probe?.abort();
    this.#probe = null;
    if (this.#source) {
      this.#source.onopen = this.#source.onerror = null;
      this.#source.close();
      this.#source = null;
    }
  }
}

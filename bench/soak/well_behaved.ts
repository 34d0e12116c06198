/**
 * The soak's well-behaved side: a publisher that numbers every message per
 * channel, and SSE subscribers that check they get every number exactly once
 * and in order. A subscriber the server cuts off comes back with
 * `Last-Event-ID`, as a browser does, and must still get everything.
 *
 * @example
 * ```ts
 * const sub = new Subscriber(url, ["soak-0"], startId);
 * sub.run();
 * const pub = new NumberedPublisher(url, ["soak-0"]);
 * await pub.run(10, deadline);
 * sub.tally(pub.published); // { expected, received, lost, duplicated, outOfOrder }
 * ```
 * @module
 */
import { SseReader } from "../../tests/_support/sse_parser.ts";

export interface Delivery {
  expected: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
}

/** Counts answers by label (status code, "refused", …). */
export class Counter {
  readonly counts = new Map<string, number>();
  add(label: string | number, n = 1): void {
    const key = String(label);
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
  }
  toString(): string {
    return [...this.counts].sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}×${v}`).join(" ");
  }
  toJSON(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** `fetch` through `client` (the DOM lib's `RequestInit` does not know Deno's `client`). */
export function fetchOn(
  client: Deno.HttpClient,
  url: string,
  init: RequestInit = {},
): Promise<Response> {
  return fetch(url, { ...init, client } as RequestInit);
}

/** The payload of message `n` on `channel`. */
function payload(channel: string, n: number) {
  return { ch: channel, n };
}

/**
 * One SSE stream (one channel, or several through `/api/events`), resumed
 * with `Last-Event-ID` whenever it ends, until {@link stop}.
 */
export class Subscriber {
  readonly statuses = new Counter();
  /** Streams that ended or failed and were opened again. */
  reconnects = 0;
  /** `event: gap` notices (history trimmed past our position). */
  gaps = 0;
  #seen = new Map<string, Set<number>>();
  #max = new Map<string, number>();
  #duplicated = 0;
  #outOfOrder = 0;
  #lastId: string;
  #url: string;
  #stopped = false;
  #abort: AbortController | null = null;
  #running: Promise<void> = Promise.resolve();
  #client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });

  /** `startAfter`: the id to resume from (published before the soak's first message). */
  constructor(base: string, readonly channels: string[], startAfter: string) {
    this.#url = channels.length === 1
      ? `${base}/api/channels/${channels[0]}/events`
      : `${base}/api/events?${channels.map((c) => `channel=${c}`).join("&")}`;
    this.#lastId = startAfter;
    for (const c of channels) this.#seen.set(c, new Set());
  }

  /** Opens the stream; resolves once the first answer is 200 (or throws). */
  async start(): Promise<void> {
    let first!: (ok: boolean, why?: string) => void;
    const opened = new Promise<void>((resolve, reject) => {
      first = (ok, why) => ok ? resolve() : reject(new Error(why));
    });
    this.#running = this.#loop(first);
    await opened;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    await this.#running;
    this.#client.close();
  }

  /** True when every message `1..published[c]` of each channel has arrived. */
  complete(published: Map<string, number>): boolean {
    return this.channels.every((c) =>
      (this.#seen.get(c)?.size ?? 0) >= (published.get(c) ?? 0)
    );
  }

  /** Messages received so far, over all channels. */
  received(): number {
    let n = 0;
    for (const set of this.#seen.values()) n += set.size;
    return n;
  }

  tally(published: Map<string, number>): Delivery {
    let expected = 0, received = 0, lost = 0;
    for (const c of this.channels) {
      const total = published.get(c) ?? 0;
      const seen = this.#seen.get(c)!;
      expected += total;
      received += seen.size;
      for (let n = 1; n <= total; n++) if (!seen.has(n)) lost++;
    }
    return {
      expected,
      received,
      lost,
      duplicated: this.#duplicated,
      outOfOrder: this.#outOfOrder,
    };
  }

  #record(channel: string, n: number): void {
    const seen = this.#seen.get(channel);
    // Message 0 marks the start (see the soak's run); numbering starts at 1.
    if (!seen || !Number.isInteger(n) || n < 1) return;
    if (seen.has(n)) {
      this.#duplicated++;
      return;
    }
    if (n < (this.#max.get(channel) ?? 0)) this.#outOfOrder++;
    seen.add(n);
    this.#max.set(channel, Math.max(n, this.#max.get(channel) ?? 0));
  }

  async #loop(first: (ok: boolean, why?: string) => void): Promise<void> {
    let opened = false;
    let delay = 250;
    // Bounded: a soak lasts minutes, and a reconnect waits at least 250 ms.
    for (let attempt = 0; attempt < 5000 && !this.#stopped; attempt++) {
      this.#abort = new AbortController();
      try {
        const res = await fetchOn(this.#client, this.#url, {
          headers: { "last-event-id": this.#lastId },
          signal: this.#abort.signal,
        });
        this.statuses.add(res.status);
        if (res.status !== 200) {
          await res.body?.cancel();
          if (!opened) return first(false, `${this.#url}: ${res.status}`);
        } else {
          if (!opened) first(true);
          opened = true;
          delay = 250;
          await this.#read(new SseReader(res.body!));
        }
      } catch (err) {
        if (this.#stopped) break;
        this.statuses.add("error");
        if (!opened) return first(false, `${this.#url}: ${err}`);
      }
      if (this.#stopped) break;
      this.reconnects++;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 2000);
    }
  }

  async #read(sse: SseReader): Promise<void> {
    try {
      // A heartbeat comes every 15 s: 40 s of silence is a dead stream.
      for (let r = await sse.next(40_000); r; r = await sse.next(40_000)) {
        if (r.kind !== "event") continue;
        if (r.event === "gap") this.gaps++;
        else {
          const body = JSON.parse(r.data);
          const data = this.channels.length === 1 ? body : body.data;
          this.#record(data?.ch, data?.n);
        }
        if (r.id) this.#lastId = r.id;
      }
    } finally {
      await sse.cancel();
    }
  }
}

/**
 * Publishes numbered messages to each channel in turn at a steady total
 * rate. A message is retried (same number) until the server accepts it, so
 * `published` is exactly what subscribers must receive; a publish that was
 * refused (answered) yet took effect shows up as a duplicate. After no answer
 * at all it first looks in history, as a careful client would.
 */
export class NumberedPublisher {
  readonly statuses = new Counter();
  /** Highest accepted number per channel. */
  readonly published = new Map<string, number>();
  #stopped = false;
  #client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });

  constructor(readonly base: string, readonly channels: string[]) {
    for (const c of channels) this.published.set(c, 0);
  }

  /** Publishes until `until` (performance.now() ms), `rate` messages/s in all. */
  async run(rate: number, until: number): Promise<void> {
    const start = performance.now();
    for (let i = 0; performance.now() < until && !this.#stopped; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const channel = this.channels[i % this.channels.length];
      await this.#publish(channel, this.published.get(channel)! + 1, until);
    }
  }

  /** Stops publishing (the server is gone); `run` resolves after the current message. */
  stop(): void {
    this.#stopped = true;
  }

  close(): void {
    this.#client.close();
  }

  /** Whether message `n` is among the channel's newest events; false when that cannot be read. */
  async #stored(channel: string, n: number): Promise<boolean> {
    try {
      const res = await fetchOn(
        this.#client,
        `${this.base}/api/channels/${channel}/messages?limit=20`,
        { signal: AbortSignal.timeout(15_000) },
      );
      if (res.status !== 200) {
        await res.body?.cancel();
        return false;
      }
      const { events } = await res.json() as { events: { data: unknown }[] };
      return events.some((e) => (e.data as { n?: number })?.n === n);
    } catch {
      return false;
    }
  }

  async #publish(channel: string, n: number, until: number): Promise<void> {
    // Bounded retries; past `until` + 30 s the message is given up (not counted).
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const res = await fetchOn(
          this.#client,
          `${this.base}/api/channels/${channel}/messages`,
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ data: payload(channel, n) }),
            signal: AbortSignal.timeout(15_000),
          },
        );
        await res.body?.cancel();
        this.statuses.add(res.status);
        if (res.status === 201) {
          this.published.set(channel, n);
          return;
        }
      } catch {
        // No answer: it may have been stored. A careful client looks before
        // sending it again (a refusal with an answer is retried as it is).
        this.statuses.add("no answer");
        if (await this.#stored(channel, n)) {
          this.published.set(channel, n);
          return;
        }
      }
      if (this.#stopped || performance.now() > until + 30_000) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

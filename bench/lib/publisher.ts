/**
 * Publishes benchmark payloads with `POST {"data": payload}` at a steady rate.
 * Messages are sent when due, several in flight at once, so a slow response
 * does not lower the offered rate (up to a cap on requests in flight).
 *
 * @example
 * ```ts
 * const publisher = new Publisher("http://127.0.0.1:8000/api/channels/bench/messages");
 * const result = await publisher.run({ step: 1, rate: 100, durationMs: 3000 });
 * ```
 * @module
 */
import { LatencyHistogram } from "./latency_histogram.ts";
import { benchPayload } from "./payload.ts";

const MAX_IN_FLIGHT = 128;

export interface PublishRun {
  step: number;
  /** Messages per second. */
  rate: number;
  durationMs: number;
}

export interface PublishResult {
  /** Messages the server accepted (2xx). */
  published: number;
  failed: number;
  errors: string[];
  /** Round-trip times of the accepted publish requests, ms. */
  roundTrips: LatencyHistogram;
  /** Epoch ms when publishing started and when the last response arrived. */
  startedAt: number;
  endedAt: number;
}

export class Publisher {
  #url: string;
  #seq = 0;

  constructor(url: string) {
    this.#url = url;
  }

  /** The next message sequence; numbers are unique over the whole run. */
  nextSeq(): number {
    return ++this.#seq;
  }

  /** Publishes one message; true when the server accepted it. */
  async publish(step: number): Promise<boolean> {
    const res = await fetch(this.#url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: benchPayload(step, this.nextSeq()) }),
    });
    await res.body?.cancel();
    return res.ok;
  }

  async run({ step, rate, durationMs }: PublishRun): Promise<PublishResult> {
    const total = Math.round(rate * durationMs / 1000);
    const result: PublishResult = {
      published: 0,
      failed: 0,
      errors: [],
      roundTrips: new LatencyHistogram(),
      startedAt: performance.timeOrigin + performance.now(),
      endedAt: 0,
    };
    const start = performance.now();
    const inFlight = new Set<Promise<void>>();
    let sent = 0;
    while (sent < total) {
      const due = Math.min(
        total,
        Math.floor((performance.now() - start) * rate / 1000) + 1,
      );
      while (sent < due && inFlight.size < MAX_IN_FLIGHT) {
        sent++;
        const sentAt = performance.now();
        const request = this.publish(step).then(
          (ok) => {
            if (!ok) return void result.failed++;
            result.published++;
            result.roundTrips.record(performance.now() - sentAt);
          },
          (err) => {
            result.failed++;
            if (result.errors.length < 3) result.errors.push(String(err));
          },
        ).finally(() => inFlight.delete(request));
        inFlight.add(request);
      }
      if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      else await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inFlight);
    result.endedAt = performance.timeOrigin + performance.now();
    return result;
  }
}

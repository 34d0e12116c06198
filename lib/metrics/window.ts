/**
 * A bounded sample of latencies between two reads (reservoir sampling), for the
 * admin dashboard's p50/p99.
 *
 * @module
 */

export class LatencyWindow {
  #samples: number[] = [];
  #seen = 0;

  constructor(readonly size: number) {}

  add(value: number): void {
    this.#seen++;
    if (this.#samples.length < this.size) this.#samples.push(value);
    else {
      const slot = Math.floor(Math.random() * this.#seen);
      if (slot < this.size) this.#samples[slot] = value;
    }
  }

  /** The quantiles of what was added since the last take (null when nothing). */
  take(): { p50: number | null; p99: number | null } {
    const sorted = this.#samples.sort((a, b) => a - b);
    this.#samples = [];
    this.#seen = 0;
    if (sorted.length === 0) return { p50: null, p99: null };
    const at = (q: number) =>
      sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    return { p50: at(0.5), p99: at(0.99) };
  }
}

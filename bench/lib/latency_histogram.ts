/**
 * A latency histogram (10 µs buckets up to 2 s, 1 ms buckets up to 62 s,
 * exact values above), cheap enough to record millions of samples per second and small
 * enough to ship between processes as sparse JSON and merge.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(1.234);
 * const merged = LatencyHistogram.fromJSON(h.toJSON());
 * merged.percentile(0.99); // ≈ 1.24
 * ```
 * @module
 */

// 10 µs buckets up to 2 s, then 1 ms buckets up to 62 s, then exact values.
const FINE_PER_MS = 100;
const FINE_LIMIT_MS = 2_000;
const FINE_COUNT = FINE_LIMIT_MS * FINE_PER_MS;
const COARSE_LIMIT_MS = 62_000;
const BUCKET_COUNT = FINE_COUNT + (COARSE_LIMIT_MS - FINE_LIMIT_MS);

function bucketOf(ms: number): number {
  return ms < FINE_LIMIT_MS
    ? Math.floor(ms * FINE_PER_MS)
    : FINE_COUNT + Math.floor(ms - FINE_LIMIT_MS);
}

/** The upper edge of a bucket, ms. */
function bucketTop(bucket: number): number {
  return bucket < FINE_COUNT
    ? (bucket + 1) / FINE_PER_MS
    : FINE_LIMIT_MS + (bucket - FINE_COUNT) + 1;
}

/** The sparse, serialisable form: `[bucket, count]` pairs plus exact overflow values. */
export interface HistogramJSON {
  buckets: [number, number][];
  overflow: number[];
  max: number;
}

export class LatencyHistogram {
  #buckets = new Uint32Array(BUCKET_COUNT);
  #overflow: number[] = [];
  #count = 0;
  #max = 0;

  get count(): number {
    return this.#count;
  }

  get max(): number {
    return this.#max;
  }

  /** Records one latency in milliseconds (negative clock skew counts as 0). */
  record(ms: number): void {
    const value = ms > 0 ? ms : 0;
    const bucket = bucketOf(value);
    if (bucket < BUCKET_COUNT) this.#buckets[bucket]++;
    else this.#overflow.push(value);
    if (value > this.#max) this.#max = value;
    this.#count++;
  }

  /** The latency below which `fraction` (0..1) of samples fall, in ms; NaN when empty. */
  percentile(fraction: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil(fraction * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKET_COUNT; i++) {
      seen += this.#buckets[i];
      // Upper edge of the bucket, capped by the true maximum.
      if (seen >= rank) return Math.min(bucketTop(i), this.#max);
    }
    const sorted = [...this.#overflow].sort((a, b) => a - b);
    return sorted[rank - seen - 1];
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < BUCKET_COUNT; i++) {
      this.#buckets[i] += other.#buckets[i];
    }
    for (const value of other.#overflow) this.#overflow.push(value);
    this.#count += other.#count;
    this.#max = Math.max(this.#max, other.#max);
  }

  toJSON(): HistogramJSON {
    const buckets: [number, number][] = [];
    for (let i = 0; i < BUCKET_COUNT; i++) {
      if (this.#buckets[i] !== 0) buckets.push([i, this.#buckets[i]]);
    }
    return { buckets, overflow: this.#overflow, max: this.#max };
  }

  static fromJSON(json: HistogramJSON): LatencyHistogram {
    const h = new LatencyHistogram();
    for (const [bucket, count] of json.buckets) {
      h.#buckets[bucket] = count;
      h.#count += count;
    }
    h.#overflow = [...json.overflow];
    h.#count += json.overflow.length;
    h.#max = json.max;
    return h;
  }
}

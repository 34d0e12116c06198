import assert from "node:assert/strict";
import { LatencyHistogram } from "../../bench/lib/latency_histogram.ts";

function exactPercentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(fraction * sorted.length)) - 1];
}

Deno.test("LatencyHistogram percentiles are within one 10 µs bucket of the exact ones", () => {
  const values = Array.from({ length: 5000 }, (_, i) => (i * 7919 % 5000) / 37);
  const h = new LatencyHistogram();
  for (const v of values) h.record(v);
  for (const f of [0.5, 0.9, 0.99, 1]) {
    const diff = h.percentile(f) - exactPercentile(values, f);
    assert.deepEqual(diff >= 0 && diff <= 0.01, true, `p${f * 100}: ${diff}`);
  }
  assert.deepEqual(h.count, 5000);
  assert.deepEqual(h.max, Math.max(...values));
});

Deno.test("LatencyHistogram: 1 ms buckets to 62 s, exact above, survives JSON and merge", () => {
  const a = new LatencyHistogram();
  const b = new LatencyHistogram();
  for (let i = 0; i < 98; i++) a.record(1);
  b.record(2500.5);
  b.record(70_000);
  const merged = LatencyHistogram.fromJSON(
    JSON.parse(JSON.stringify(a.toJSON())),
  );
  merged.merge(LatencyHistogram.fromJSON(b.toJSON()));
  assert.deepEqual(merged.count, 100);
  assert.deepEqual(merged.percentile(0.5), 1.01);
  assert.deepEqual(merged.percentile(0.99), 2501);
  assert.deepEqual(merged.percentile(1), 70_000);
  assert.deepEqual(merged.max, 70_000);
  assert.deepEqual(Number.isNaN(new LatencyHistogram().percentile(0.5)), true);
});

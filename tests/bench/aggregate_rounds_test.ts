import assert from "node:assert/strict";
import { median, medianOfRounds } from "../../bench/lib/aggregate_rounds.ts";
import type {
  StepResult,
  TargetResult,
} from "../../bench/lib/measure_target.ts";

function step(p99: number, lost: number): StepResult {
  return {
    rate: 100,
    publishers: 0,
    publishesPerSec: 100,
    durationMs: 1000,
    published: 100,
    publishFailed: 0,
    expected: 1000,
    received: 1000 - lost,
    lost,
    duplicates: 0,
    deliveriesPerSec: 1000 - lost,
    p50: p99 / 2,
    p99,
    max: p99 * 2,
    publishP50: 1,
    publishP99: 2,
    serverCpuPercent: 10,
    serverMicrosPerDelivery: 5,
    loadAverage: 1,
    clientCpuPercent: 10,
    closedByServer: 0,
  };
}

function round(bytes: number, s: StepResult): TargetResult {
  return {
    name: "raw",
    label: "raw",
    subscribers: 10,
    connected: 10,
    rssBefore: 0,
    rssAfter: bytes * 10,
    bytesPerConnection: bytes,
    steps: [s],
  };
}

Deno.test("medianOfRounds takes medians of figures and sums of losses", () => {
  const result = medianOfRounds([
    round(100, step(5, 0)),
    round(300, step(50, 2)),
    round(200, step(7, 1)),
  ]);
  assert.deepEqual(result.bytesPerConnection, 200);
  assert.deepEqual(result.steps[0].p99, 7);
  assert.deepEqual(result.steps[0].lost, 3);
  assert.deepEqual(result.rounds, 3);
});

Deno.test("median ignores NaN and averages the middle pair", () => {
  assert.deepEqual(median([4, NaN, 1, 3, 2]), 2.5);
  assert.deepEqual(Number.isNaN(median([])), true);
});

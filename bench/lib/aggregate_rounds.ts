/**
 * Folds the rounds of a repeated run into one result per target: the median
 * of each figure over the rounds (the machine is shared, so one round can be
 * disturbed by other work), and the sum of lost and duplicate messages (they
 * must be 0 in every round).
 *
 * @example
 * ```ts
 * const result = medianOfRounds([round1.raw, round2.raw, round3.raw]);
 * ```
 * @module
 */
import type { StepResult, TargetResult } from "./measure_target.ts";

export function median(values: number[]): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const SUMMED = new Set<keyof StepResult>([
  "lost",
  "duplicates",
  "publishFailed",
  "closedByServer",
]);

/** One result whose figures are the medians (losses: the sums) of `rounds`. */
export function medianOfRounds(rounds: TargetResult[]): TargetResult {
  const ran = rounds.filter((r) => !r.skipped);
  if (ran.length === 0) return rounds[0];
  const first = ran[0];
  const steps = first.steps.map((step, i) => {
    const same = ran.map((r) => r.steps[i]).filter(Boolean);
    const merged = { ...step };
    for (const key of Object.keys(step) as (keyof StepResult)[]) {
      const values = same.map((s) => s[key]);
      merged[key] = SUMMED.has(key)
        ? values.reduce((a, b) => a + b, 0)
        : median(values);
    }
    return merged;
  });
  return {
    ...first,
    connected: median(ran.map((r) => r.connected)),
    rssBefore: median(ran.map((r) => r.rssBefore)),
    rssAfter: median(ran.map((r) => r.rssAfter)),
    bytesPerConnection: median(ran.map((r) => r.bytesPerConnection)),
    steps,
    rounds: ran.length,
  };
}

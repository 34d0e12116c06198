/**
 * Formats the benchmark results as Markdown: one table of every target and
 * step, then the ratios against the goals (issues 3 and 14) with PASS/MISS.
 *
 * @example
 * ```ts
 * console.log(resultsTable(results));
 * console.log(ratioLines(results).join("\n"));
 * ```
 * @module
 */
import {
  stepLabel,
  type StepResult,
  type TargetResult,
} from "./measure_target.ts";

/** Goals from issue 3, item 9, and issue 14, items 1 (closed loop), 2 and 3. */
export const GOALS = {
  memoryVsRawDeliveries: 0.9,
  redisVsMemoryDeliveries: 0.7,
  p99VsRaw: 1.5,
  p99AbsoluteMs: 20,
  bytesPerConnectionVsRaw: 1.2,
  closedLoopVsMemory: { redis: 0.8, kv: 0.6 } as Record<string, number>,
  /** Server memory per idle SSE connection, KB. */
  kbPerConnection: 40,
} as const;

const ms = (v: number) => Number.isFinite(v) ? v.toFixed(2) : "–";
const kb = (bytes: number) =>
  Number.isFinite(bytes) ? (bytes / 1024).toFixed(1) : "–";
const int = (v: number) => Math.round(v).toLocaleString("en-US");

export function resultsTable(results: TargetResult[]): string {
  const rows = [
    "| target | subscribers | rate msg/s | published | publishes/s | deliveries/s | p50 ms | p99 ms | max ms | POST p50/p99 ms | lost | dup | closed | server CPU | server µs/delivery | client CPU | load | KB/idle conn |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ];
  for (const r of results) {
    if (r.skipped) {
      rows.push(`| ${r.label} | skipped: ${r.skipped} ||||||||||||||||`);
      continue;
    }
    for (const s of r.steps) {
      rows.push(
        `| ${r.label} | ${int(r.connected)} | ${
          s.publishers ? stepLabel(s) : s.rate
        } | ${int(s.published)}` +
          `${s.publishFailed ? ` (+${s.publishFailed} failed)` : ""}` +
          ` | ${int(s.publishesPerSec)} | ${int(s.deliveriesPerSec)} | ${
            ms(s.p50)
          } | ${ms(s.p99)} | ${ms(s.max)} | ${ms(s.publishP50)} / ${
            ms(s.publishP99)
          } | ${int(s.lost)} | ${int(s.duplicates)} | ${s.closedByServer} | ${
            s.serverCpuPercent.toFixed(0)
          }% | ${s.serverMicrosPerDelivery.toFixed(2)} | ${
            s.clientCpuPercent.toFixed(0)
          }% | ${s.loadAverage.toFixed(1)} | ${kb(r.bytesPerConnection)} |`,
      );
    }
  }
  return rows.join("\n");
}

function verdict(ok: boolean): string {
  return ok ? "PASS" : "MISS";
}

function stepAt(r: TargetResult | undefined, rate: number) {
  return r?.skipped
    ? undefined
    : r?.steps.find((s) => s.rate === rate && !s.publishers);
}

/**
 * Closed loop: each log broker's deliveries/s and publishes/s against
 * memory's, per publisher count; with `rounds`, also the ratio within each
 * round (the machine's load moves between rounds more than within one).
 */
function closedLoopLines(
  results: TargetResult[],
  rounds?: Map<string, TargetResult[]>,
): string[] {
  const memory = results.find((r) => r.name === "memory" && !r.skipped);
  if (!memory) return [];
  const lines: string[] = [];
  for (const base of memory.steps.filter((s) => s.publishers)) {
    for (const r of results) {
      const goal = GOALS.closedLoopVsMemory[r.name];
      const step = r.skipped
        ? undefined
        : r.steps.find((s) => s.publishers === base.publishers);
      if (!goal || !step) continue;
      const d = step.deliveriesPerSec / base.deliveriesPerSec;
      const p = step.publishesPerSec / base.publishesPerSec;
      const perRound = (rounds?.get(r.name) ?? []).map((round, i) => {
        const mine = round.steps.find((s) => s.publishers === base.publishers);
        const theirs = rounds?.get("memory")?.[i]?.steps.find((s) =>
          s.publishers === base.publishers
        );
        return mine && theirs
          ? (mine.deliveriesPerSec / theirs.deliveriesPerSec).toFixed(2)
          : "–";
      });
      lines.push(
        `- ${stepLabel(step)}: ${r.name} vs memory deliveries/s ${
          d.toFixed(2)
        }×, publishes/s ${p.toFixed(2)}× (goal ≥ ${goal}×) ${
          verdict(d >= goal)
        }; POST p50/p99 ${ms(step.publishP50)}/${ms(step.publishP99)} ms vs ${
          ms(base.publishP50)
        }/${ms(base.publishP99)} ms` +
          (perRound.length > 1 ? `; per round ${perRound.join(" / ")}×` : ""),
      );
    }
  }
  return lines;
}

/** One line per ratio and step: value, goal and PASS/MISS; `rounds` adds per-round closed-loop ratios. */
export function ratioLines(
  results: TargetResult[],
  rounds?: Map<string, TargetResult[]>,
): string[] {
  const byName = new Map(results.map((r) => [r.name, r]));
  const raw = byName.get("raw");
  const memory = byName.get("memory");
  const redis = byName.get("redis");
  const redis2 = byName.get("redis2");
  const lines: string[] = [];
  const rates = [
    ...new Set(
      results.flatMap((r) =>
        r.steps.filter((s) => !s.publishers).map((s) => s.rate)
      ),
    ),
  ];
  lines.push(...closedLoopLines(results, rounds));
  const ratio = (a: number, b: number) => b > 0 ? a / b : NaN;

  for (const rate of rates) {
    const [rawStep, memStep, redisStep] = [raw, memory, redis].map((r) =>
      stepAt(r, rate)
    );
    if (memStep && rawStep) {
      const d = ratio(memStep.deliveriesPerSec, rawStep.deliveriesPerSec);
      lines.push(
        `- ${rate} msg/s: memory vs raw deliveries/s ${d.toFixed(2)}× ` +
          `(goal ≥ ${GOALS.memoryVsRawDeliveries}×) ${
            verdict(d >= GOALS.memoryVsRawDeliveries)
          }`,
      );
    }
    if (redisStep && memStep) {
      const d = ratio(redisStep.deliveriesPerSec, memStep.deliveriesPerSec);
      lines.push(
        `- ${rate} msg/s: redis vs memory deliveries/s ${d.toFixed(2)}× ` +
          `(goal ≥ ${GOALS.redisVsMemoryDeliveries}×) ${
            verdict(d >= GOALS.redisVsMemoryDeliveries)
          }`,
      );
    }
    const workersStep = stepAt(redis2, rate);
    if (workersStep && redisStep) {
      // Two workers against one: no goal, the figures say what a second core buys here.
      lines.push(
        `- ${rate} msg/s: redis 2 workers vs 1: deliveries/s ${
          ratio(workersStep.deliveriesPerSec, redisStep.deliveriesPerSec)
            .toFixed(2)
        }×, p99 ${ms(workersStep.p99)} vs ${ms(redisStep.p99)} ms, server CPU ${
          workersStep.serverCpuPercent.toFixed(0)
        } % vs ${redisStep.serverCpuPercent.toFixed(0)} % of a core`,
      );
    }
    for (const [name, step] of [["memory", memStep], ["redis", redisStep]]) {
      if (!step || !rawStep || typeof step === "string") continue;
      const p = ratio(step.p99, rawStep.p99);
      lines.push(
        `- ${rate} msg/s: ${name} p99 ${ms(step.p99)} ms vs raw ${
          ms(rawStep.p99)
        } ms = ${
          p.toFixed(2)
        }× (goal ≤ ${GOALS.p99VsRaw}× and < ${GOALS.p99AbsoluteMs} ms) ${
          verdict(p <= GOALS.p99VsRaw && step.p99 < GOALS.p99AbsoluteMs)
        }`,
      );
    }
  }
  for (const r of [memory, redis]) {
    if (!r || r.skipped || !raw || raw.skipped) continue;
    const m = ratio(r.bytesPerConnection, raw.bytesPerConnection);
    lines.push(
      `- memory per idle connection: ${r.name} ${
        kb(r.bytesPerConnection)
      } KB vs raw ${kb(raw.bytesPerConnection)} KB = ${
        m.toFixed(2)
      }× (goal ≤ ${GOALS.bytesPerConnectionVsRaw}×) ${
        verdict(m <= GOALS.bytesPerConnectionVsRaw)
      }`,
    );
  }
  for (const r of results) {
    if (r.skipped || !Number.isFinite(r.bytesPerConnection)) continue;
    const k = r.bytesPerConnection / 1024;
    lines.push(
      `- memory per idle connection, ${r.label}: ${
        kb(r.bytesPerConnection)
      } KB ` +
        `(goal ≤ ${GOALS.kbPerConnection} KB) ${
          verdict(k <= GOALS.kbPerConnection)
        }`,
    );
  }
  for (const r of results) {
    if (r.skipped) continue;
    const lost = r.steps.reduce(
      (sum: number, s: StepResult) => sum + s.lost,
      0,
    );
    lines.push(
      `- lost messages, ${r.label}: ${int(lost)} (goal 0) ${
        verdict(lost === 0)
      }`,
    );
  }
  return lines;
}

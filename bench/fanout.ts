/**
 * `deno task bench`: the fan-out benchmark. In one run it measures the raw
 * `Deno.serve` SSE baseline, Herald with the memory broker and Herald with the
 * redis broker: N subscribers on one channel (in separate client processes),
 * stepped publish rates, deliveries/s, publish-to-receive latency, lost
 * messages and server memory per idle connection, then prints one table and
 * the ratios against the goals. See bench/README.md.
 *
 * @example
 * ```sh
 * deno task bench --subscribers 1000 --rates 10,100,500 --duration 3
 * ```
 * @module
 */
import { benchOptions, USAGE } from "./lib/options.ts";
import {
  emptyResult,
  measureTarget,
  type TargetResult,
} from "./lib/measure_target.ts";
import { medianOfRounds } from "./lib/aggregate_rounds.ts";
import { ratioLines, resultsTable } from "./lib/report.ts";
import { baseTargetSpec, type TargetSpec, targetSpec } from "./lib/targets.ts";
import { loadAverage } from "./lib/process_stats.ts";

const opts = benchOptions();
if (opts.help) {
  console.log(USAGE);
  Deno.exit(0);
}
if (opts.pin) {
  // Every thread of this driver on CPU 1; the subscriber clients inherit it,
  // the servers start under `taskset -c 0` (measure_target.ts).
  const pinned = await new Deno.Command("taskset", {
    args: ["-a", "-p", "-c", "1", String(Deno.pid)],
    stdout: "null",
  }).output();
  if (!pinned.success) throw new Error("--pin: taskset failed");
}

console.log(
  `fan-out benchmark: ${opts.subscribers} subscribers, ${
    opts.closedLoop
      ? `closed loop with ${opts.publishers.join("/")} publisher connection(s)`
      : `rates ${opts.rates.join("/")} msg/s`
  }, ${opts.durationMs / 1000} s per step, ${opts.clients} client ` +
    `process(es), ${opts.repeat} round(s)${
      opts.pin ? ", server on CPU 0, clients on CPU 1" : ""
    }; load average ${await loadAverage()}`,
);

// Rounds interleave the targets, so slow drifts in machine load hit all alike.
const rounds = new Map<string, TargetResult[]>();
let failed = false;
for (let round = 1; round <= opts.repeat; round++) {
  const specs: TargetSpec[] = [];
  for (const name of opts.targets) {
    specs.push(await targetSpec(name));
    const base = opts.base && await baseTargetSpec(name, opts.base);
    if (base) specs.push(base);
  }
  for (const spec of specs) {
    const results = rounds.get(spec.name) ?? [];
    rounds.set(spec.name, results);
    if (spec.unavailable) {
      if (round === 1) {
        console.log(
          `%cSKIPPING ${spec.label}: ${spec.unavailable}`,
          "color: yellow",
        );
      }
    } else {
      console.log(`measuring ${spec.label} (round ${round}/${opts.repeat}) …`);
    }
    try {
      results.push(await measureTarget(spec, opts, (l) => console.log(l)));
    } catch (err) {
      failed = true;
      const message = err instanceof Error ? err.message : String(err);
      console.error(`%c${message}`, "color: red");
      results.push(
        emptyResult(spec, opts.subscribers, "failed (see above)"),
      );
    }
  }
}
const results = [...rounds.values()].map(medianOfRounds);

if (opts.repeat > 1) {
  console.log(`\nmedians over ${opts.repeat} rounds (lost/dup: sums)`);
}
console.log("\n" + resultsTable(results) + "\n");
console.log(ratioLines(results, rounds).join("\n"));
if (opts.json) {
  await Deno.writeTextFile(
    opts.json,
    JSON.stringify(
      { opts, results, rounds: Object.fromEntries(rounds) },
      null,
      2,
    ),
  );
  console.log(`\nresults written to ${opts.json}`);
}
Deno.exit(failed ? 1 : 0);

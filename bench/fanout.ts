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
import { measureTarget, type TargetResult } from "./lib/measure_target.ts";
import { ratioLines, resultsTable } from "./lib/report.ts";
import { targetSpec } from "./lib/targets.ts";

const opts = benchOptions();
if (opts.help) {
  console.log(USAGE);
  Deno.exit(0);
}

console.log(
  `fan-out benchmark: ${opts.subscribers} subscribers, rates ${
    opts.rates.join("/")
  } msg/s, ${
    opts.durationMs / 1000
  } s per step, ${opts.clients} client process(es)`,
);
const results: TargetResult[] = [];
let failed = false;
for (const name of opts.targets) {
  const spec = await targetSpec(name);
  if (spec.unavailable) {
    console.log(
      `%cSKIPPING ${spec.label}: ${spec.unavailable}`,
      "color: yellow",
    );
  } else {
    console.log(`measuring ${spec.label} …`);
  }
  try {
    results.push(await measureTarget(spec, opts, (line) => console.log(line)));
  } catch (err) {
    failed = true;
    console.error(
      `%c${err instanceof Error ? err.message : err}`,
      "color: red",
    );
    results.push({
      name,
      label: spec.label,
      skipped: "failed (see above)",
      subscribers: opts.subscribers,
      connected: 0,
      rssBefore: 0,
      rssAfter: 0,
      bytesPerConnection: NaN,
      steps: [],
    });
  }
}

console.log("\n" + resultsTable(results) + "\n");
console.log(ratioLines(results).join("\n"));
if (opts.json) {
  await Deno.writeTextFile(
    opts.json,
    JSON.stringify({ opts, results }, null, 2),
  );
  console.log(`\nresults written to ${opts.json}`);
}
Deno.exit(failed ? 1 : 0);

/**
 * Server CPU per publish with nobody subscribed: the part of a fan-out's cost
 * that does not scale with subscribers (at N subscribers it adds 1/N of this
 * to every delivery). Runs each target of the fan-out benchmark in turn,
 * posts the benchmark's payload `--posts` times with 16 in flight, and reads
 * the server's CPU time from /proc before and after.
 *
 * @example
 * ```sh
 * deno run -A bench/micro/publish_cost.ts --targets raw,memory --posts 5000 --repeat 3
 * # another checkout's servers (A/B), e.g. a worktree of main:
 * deno run -A bench/micro/publish_cost.ts --root /tmp/main-checkout/
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { startServer } from "../../tests/_support/server.ts";
import { targetSpec } from "../lib/targets.ts";
import { cpuSeconds } from "../lib/process_stats.ts";
import type { TargetName } from "../lib/options.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    targets: { type: "string", default: "raw,memory" },
    posts: { type: "string", default: "5000" },
    repeat: { type: "string", default: "1" },
    /** Run the servers of this checkout instead (its main.ts, its bench server). */
    root: { type: "string" },
  },
});
const posts = Number(values.posts);
const IN_FLIGHT = 16;

async function postAll(url: string, count: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { b: 1, i, t: Date.now() } }),
      });
      await res.body?.cancel();
      if (res.status !== 201) throw new Error(`${url}: ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

const results = new Map<string, number[]>();
for (let round = 0; round < Number(values.repeat); round++) {
  for (const name of values.targets!.split(",") as TargetName[]) {
    const spec = await targetSpec(name);
    await using server = await startServer({
      entry: spec.entry,
      cwd: values.root,
      env: spec.env,
      readyPath: "/api/channels/bench/messages",
    });
    const url = `${server.url}/api/channels/bench/messages`;
    await postAll(url, 500); // warm-up: JIT, first-use set-up
    const before = await cpuSeconds(server.process.pid);
    await postAll(url, posts);
    const cpu = await cpuSeconds(server.process.pid) - before;
    const us = (cpu / posts) * 1e6;
    results.set(spec.label, [...(results.get(spec.label) ?? []), us]);
    console.log(`${spec.label}: ${us.toFixed(0)} µs server CPU per publish`);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log("\n| target | server µs per publish (median) | rounds |");
console.log("|---|---:|---|");
for (const [label, us] of results) {
  console.log(
    `| ${label} | ${median(us).toFixed(0)} | ${
      us.map((u) => u.toFixed(0)).join(" / ")
    } |`,
  );
}

/**
 * Summarises a V8 `.cpuprofile` (from `deno task bench --cpu-prof DIR`): the
 * functions with the most self time, and self time per source file, so a slow
 * path can be named by file and function.
 *
 * @example
 * ```sh
 * deno run -A bench/profile_summary.ts /tmp/prof/CPU.*.cpuprofile --top 25
 * ```
 * @module
 */
import { parseArgs } from "node:util";

interface ProfileNode {
  id: number;
  callFrame: {
    functionName: string;
    url: string;
    lineNumber: number;
  };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { top: { type: "string", default: "20" } },
});
const top = Number(values.top);

for (const path of positionals) {
  const profile: Profile = JSON.parse(await Deno.readTextFile(path));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const file = url.replace(/^file:\/\/\/work\/main\//, "") || "(native)";
    const name = `${functionName || "(anonymous)"}  ${file}:${lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byFile.set(file, (byFile.get(file) ?? 0) + ms);
  }
  const show = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title}`);
    for (
      const [name, ms] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)
    ) {
      console.log(
        `${ms.toFixed(0).padStart(8)} ms ${
          (100 * ms / total).toFixed(1).padStart(5)
        }%  ${name}`,
      );
    }
  };
  console.log(`${path}: ${total.toFixed(0)} ms sampled`);
  show("self time by function", byFunction);
  show("self time by file", byFile);
}

/**
 * `deno task soak`: Herald under the attack mix of issue 8 for a few minutes
 * while well-behaved clients stream; reports what they lost (nothing, to
 * pass), whether the server still answers, and its peak memory against the
 * budget. Exits 1 on a failure. See bench/README.md.
 *
 * @example
 * ```sh
 * deno task soak                          # 3 minutes, kv broker, nofile 1024
 * deno task soak --seconds 30 --short     # small waves
 * deno task soak --broker redis --json /tmp/soak.json
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { FULL_SCALE, SHORT_SCALE } from "./soak/attacks.ts";
import { soakReport } from "./soak/report.ts";
import { runSoak } from "./soak/run.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "180" },
    broker: { type: "string", default: "kv" },
    nofile: { type: "string", default: "1024" },
    subscribers: { type: "string", default: "50" },
    rate: { type: "string", default: "10" },
    "big-events": { type: "string" },
    hold: { type: "string" },
    short: { type: "boolean", default: false },
    json: { type: "string" },
    "server-log": { type: "string" },
  },
});
const number = (name: string, raw: string | undefined, min: number) => {
  const value = Number(raw);
  if (raw === undefined || !Number.isFinite(value) || value < min) {
    console.error(`--${name} must be a number ≥ ${min}, got ${raw}`);
    Deno.exit(2);
  }
  return value;
};
if (values.broker !== "kv" && values.broker !== "redis") {
  console.error(`--broker must be kv or redis, got ${values.broker}`);
  Deno.exit(2);
}
const short = values.short;
const result = await runSoak({
  seconds: number("seconds", values.seconds, 5),
  broker: values.broker,
  nofile: number("nofile", values.nofile, 0),
  subscribers: number("subscribers", values.subscribers, 1),
  rate: number("rate", values.rate, 1),
  bigEvents: number(
    "big-events",
    values["big-events"] ?? (short ? "100" : "1000"),
    1,
  ),
  holdMs: number("hold", values.hold ?? (short ? "4" : "20"), 1) * 1000,
  scale: short ? SHORT_SCALE : FULL_SCALE,
  serverLog: values["server-log"],
  log: (line) => console.error(`soak: ${line}`),
});
console.log(soakReport(result));
if (values.json) {
  await Deno.writeTextFile(values.json, JSON.stringify(result, null, 2));
}
Deno.exit(result.passed ? 0 : 1);

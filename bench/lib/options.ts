/**
 * The benchmark's options, from flags first, then `BENCH_*` environment
 * variables, then defaults.
 *
 * | flag | env | default |
 * |---|---|---|
 * | `--subscribers N` | `BENCH_SUBSCRIBERS` | 1000 (1 … 10000) |
 * | `--rates 10,100,500` | `BENCH_RATES` | `10,100,500` (msg/s) |
 * | `--duration S` | `BENCH_DURATION` | 3 (seconds per step) |
 * | `--targets raw,memory,redis` | `BENCH_TARGETS` | raw,memory,redis (also: raw-node, memory-deno-serve, hub, kv, redis2) |
 * | `--clients 1` | `BENCH_CLIENTS` | 1 (subscriber client processes, 1 or 2) |
 * | `--repeat R` | `BENCH_REPEAT` | 1 (rounds over all targets; medians are reported) |
 * | `--json PATH` | `BENCH_JSON` | none (also write the results as JSON) |
 * | `--cpu-prof DIR` | `BENCH_CPU_PROF` | none (run the servers with `--cpu-prof` into DIR) |
 * | `--closed-loop` | `BENCH_CLOSED_LOOP=1` | off (publish at the rates) |
 * | `--publishers 4` | `BENCH_PUBLISHERS` | 4 (closed loop: connections, one step each) |
 * | `--pin` | `BENCH_PIN=1` | off (server on CPU 0, driver and clients on CPU 1, with `taskset`) |
 *
 * @example
 * ```ts
 * const opts = benchOptions(["--subscribers", "200", "--rates", "10"]);
 * ```
 * @module
 */
import { parseArgs } from "node:util";

export type TargetName =
  | "raw"
  | "raw-node"
  | "memory"
  | "memory-deno-serve"
  | "hub"
  | "redis"
  | "redis2"
  | "kv";
export const TARGET_NAMES: readonly TargetName[] = [
  "raw",
  "raw-node",
  "memory",
  "memory-deno-serve",
  "hub",
  "redis",
  "redis2",
  "kv",
];
/** The targets run when none are named (kv is opt-in: `--targets kv`). */
export const DEFAULT_TARGETS: readonly TargetName[] = [
  "raw",
  "memory",
  "redis",
];
export const MAX_SUBSCRIBERS = 10_000;

export interface BenchOptions {
  subscribers: number;
  rates: number[];
  durationMs: number;
  targets: TargetName[];
  clients: number;
  /** Rounds over all targets, interleaved; the report shows medians. */
  repeat: number;
  json?: string;
  /** Directory for the servers' V8 CPU profiles; none when unset. */
  cpuProfDir?: string;
  /** Closed loop: each step keeps `publishers[i]` connections with one publish in flight each, instead of `rates`. */
  closedLoop: boolean;
  publishers: number[];
  /** Server on CPU 0, this driver and the subscriber clients on CPU 1 (`taskset`). */
  pin: boolean;
  /** Another checkout: each Herald target is also run from it, in the same rounds. */
  base?: string;
  help: boolean;
}

export const USAGE = `deno task bench [options]
  --subscribers N        subscribers on one channel (default 1000, max ${MAX_SUBSCRIBERS})
  --rates 10,100,500     publish rates in msg/s, one step each
  --duration S           seconds per step (default 3)
  --targets raw,memory,redis   (also: raw-node, the baseline on node:http;
                         memory-deno-serve, memory with HERALD_LISTENER=deno-serve;
                         hub, Herald's hub and memory broker on a bare Deno.serve;
                         kv, a fresh Deno KV file; redis2, redis with HERALD_WORKERS=2)
  --clients 1            subscriber client processes (1 or 2)
  --repeat 1             rounds over all targets (interleaved); medians reported
  --json PATH            also write the results as JSON
  --cpu-prof DIR         run each server with --cpu-prof, profiles into DIR
  --closed-loop          publish as fast as answers come: --publishers connections,
                         one publish in flight each (the rates are not used)
  --publishers 4         closed-loop connections, one step per value (e.g. 1,4)
  --pin                  server on CPU 0, driver and subscriber clients on CPU 1 (taskset)
  --base DIR             another checkout (e.g. a git worktree of main, after
                         deno install): each Herald target also runs from it, in the
                         same interleaved rounds, as "<target> (base)"
Each flag can also be set as BENCH_SUBSCRIBERS, BENCH_RATES, BENCH_DURATION,
BENCH_TARGETS, BENCH_CLIENTS, BENCH_REPEAT, BENCH_JSON, BENCH_CPU_PROF,
BENCH_CLOSED_LOOP=1, BENCH_PUBLISHERS, BENCH_PIN=1, BENCH_BASE. Redis: REDIS_URL (default redis://127.0.0.1:6379).`;

type Env = Record<string, string | undefined>;

export function benchOptions(
  args: string[] = Deno.args,
  env: Env = Deno.env.toObject(),
): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      subscribers: { type: "string" },
      rates: { type: "string" },
      duration: { type: "string" },
      targets: { type: "string" },
      clients: { type: "string" },
      repeat: { type: "string" },
      json: { type: "string" },
      "cpu-prof": { type: "string" },
      "closed-loop": { type: "boolean" },
      publishers: { type: "string" },
      pin: { type: "boolean" },
      base: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const pick = (flag: string | undefined, name: string, fallback: string) =>
    flag ?? env[name] ?? fallback;

  const subscribers = wholeNumber(
    "subscribers",
    pick(values.subscribers, "BENCH_SUBSCRIBERS", "1000"),
    1,
    MAX_SUBSCRIBERS,
  );
  const rates = pick(values.rates, "BENCH_RATES", "10,100,500").split(",")
    .map((r) => wholeNumber("rates", r.trim(), 1, 100_000));
  const duration = Number(pick(values.duration, "BENCH_DURATION", "3"));
  if (!(duration > 0 && duration <= 600)) {
    throw new Error(`--duration must be 0 < S ≤ 600 seconds, got ${duration}`);
  }
  const targets = pick(
    values.targets,
    "BENCH_TARGETS",
    DEFAULT_TARGETS.join(","),
  )
    .split(",").map((t) => t.trim()) as TargetName[];
  for (const t of targets) {
    if (!TARGET_NAMES.includes(t)) {
      throw new Error(`unknown target ${t}: use ${TARGET_NAMES.join(", ")}`);
    }
  }
  return {
    subscribers,
    rates,
    durationMs: duration * 1000,
    targets,
    clients: wholeNumber(
      "clients",
      pick(values.clients, "BENCH_CLIENTS", "1"),
      1,
      2,
    ),
    repeat: wholeNumber(
      "repeat",
      pick(values.repeat, "BENCH_REPEAT", "1"),
      1,
      20,
    ),
    json: values.json ?? env.BENCH_JSON,
    cpuProfDir: values["cpu-prof"] ?? env.BENCH_CPU_PROF,
    closedLoop: values["closed-loop"] ?? env.BENCH_CLOSED_LOOP === "1",
    publishers: pick(values.publishers, "BENCH_PUBLISHERS", "4").split(",")
      .map((p) => wholeNumber("publishers", p.trim(), 1, 256)),
    pin: values.pin ?? env.BENCH_PIN === "1",
    base: values.base ?? env.BENCH_BASE,
    help: values.help ?? false,
  };
}

function wholeNumber(name: string, raw: string, min: number, max: number) {
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new Error(
      `--${name} must be a whole number ${min} … ${max}, got ${raw}`,
    );
  }
  return n;
}

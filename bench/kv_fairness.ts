/**
 * Broker fairness on kv: server CPU and delivery latency of a well-behaved
 * publisher/subscriber pair, first alone, then while one address holds many
 * multi-channel streams of distinct channels (issue 8: 100 × 32).
 *
 * @example
 * ```sh
 * deno run -A bench/kv_fairness.ts                       # this checkout
 * deno run -A bench/kv_fairness.ts --root /tmp/before/   # another checkout's main.ts
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { REPO_ROOT, startServer } from "../tests/_support/server.ts";
import { cpuSeconds } from "./lib/process_stats.ts";
import { HERALD_ENV } from "./lib/targets.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    root: { type: "string", default: REPO_ROOT },
    streams: { type: "string", default: "100" },
    channels: { type: "string", default: "32" },
    rate: { type: "string", default: "10" },
    seconds: { type: "string", default: "10" },
  },
});
const streams = Number(values.streams);
const perStream = Number(values.channels);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const dir = await Deno.makeTempDir({ prefix: "herald-fairness-" });
const server = await startServer({
  entry: "main.ts",
  cwd: values.root,
  readyPath: "/api/health",
  env: {
    ...HERALD_ENV,
    HERALD_BROKER: "kv",
    HERALD_KV_PATH: `${dir}/herald.kv`,
  },
});
const aborts: AbortController[] = [];

/** Opens an SSE stream and discards what it sends; `onData` sees each chunk. */
async function hold(url: string, onData?: (text: string) => void) {
  const abort = new AbortController();
  aborts.push(abort);
  const res = await fetch(url, { signal: abort.signal });
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  (async () => {
    try {
      while (true) {
        const { value, done } = await reader.read();
        if (done) return;
        onData?.(value);
      }
    } catch { /* aborted */ }
  })();
}

/** Publishes `rate`/s on `probe` for `seconds`; returns server CPU % and latency percentiles. */
async function measure(label: string) {
  const latencies: number[] = [];
  let buffer = "";
  await hold(`${server.url}/api/channels/probe/events`, (text) => {
    buffer += text;
    const now = performance.timeOrigin + performance.now();
    for (const m of buffer.matchAll(/"t":([\d.]+)/g)) {
      latencies.push(now - Number(m[1]));
    }
    buffer = buffer.slice(buffer.lastIndexOf("\n") + 1);
  });
  await new Promise((r) => setTimeout(r, 500));
  const cpu0 = await cpuSeconds(server.process.pid);
  const start = performance.now();
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + (i * 1000) / rate;
    await new Promise((r) =>
      setTimeout(r, Math.max(0, due - performance.now()))
    );
    const t = performance.timeOrigin + performance.now();
    const res = await fetch(`${server.url}/api/channels/probe/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: { t } }),
    });
    await res.body?.cancel();
  }
  await new Promise((r) => setTimeout(r, 1000));
  const cpu = (await cpuSeconds(server.process.pid)) - cpu0;
  const wall = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]
      ?.toFixed(1);
  console.log(
    `${label}: server CPU ${(100 * cpu / wall).toFixed(0)}%, ` +
      `delivered ${latencies.length}/${rate * seconds}, ` +
      `latency p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`,
  );
}

try {
  await measure("alone");
  let n = 0;
  for (let s = 0; s < streams; s++) {
    const query = Array.from(
      { length: perStream },
      () => `channel=fair-${n++}`,
    ).join("&");
    await hold(`${server.url}/api/events?${query}`);
  }
  await measure(`with ${streams} streams × ${perStream} channels`);
} finally {
  for (const a of aborts) a.abort();
  await server.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/**
 * Closed-loop publishes against one broker in this process while every event
 * costs `--fanout-us` of CPU to deliver (what N SSE subscribers cost the hub),
 * without HTTP or clients: isolates the broker's part of issue 14.
 *
 * Usage: `deno run -A bench/micro/publish_under_fanout.ts [--fanout-us 4000]
 * [--publishers 4] [--seconds 5] [--rounds 3]` (Redis at REDIS_URL).
 * Prints per round and broker publishes/s, publish round trip p50/p99, the
 * process's CPU share and CPU µs per publish, and redis ÷ memory. The
 * fan-out is a wall-clock busy wait: on a loaded machine it stands for the
 * time a fan-out takes, not its CPU.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import type { Broker } from "../../lib/realtime/types.ts";
import {
  REDIS_URL,
  redisAnswers,
  uniquePrefix,
} from "../../tests/_support/redis.ts";
import { dropPrefix } from "../../tests/realtime/brokers/redis_keys.ts";
import { cpuSeconds, loadAverage } from "../lib/process_stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "fanout-us": { type: "string", default: "4000" },
    publishers: { type: "string", default: "4" },
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
  },
});
const fanoutMs = Number(values["fanout-us"]) / 1000;
const publishers = Number(values.publishers);
const seconds = Number(values.seconds);

function spin(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* a fan-out's CPU */ }
}

async function measure(broker: Broker) {
  let delivered = 0;
  const stop = await broker.subscribe("micro", () => {
    delivered++;
    spin(fanoutMs);
  });
  const rtts: number[] = [];
  const cpu0 = await cpuSeconds(Deno.pid);
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: publishers }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await broker.publish("micro", { data: { t } });
        rtts.push(performance.now() - t);
      }
    }),
  );
  const elapsed = performance.now() - t0;
  const deadline = Date.now() + 30_000;
  while (delivered < rtts.length) {
    if (Date.now() > deadline) {
      throw new Error(`${delivered} of ${rtts.length} events delivered`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const cpuUsed = (await cpuSeconds(Deno.pid) - cpu0) * 1000;
  const cpu = cpuUsed / (performance.now() - t0);
  await stop();
  rtts.sort((a, b) => a - b);
  return {
    rate: rtts.length / (elapsed / 1000),
    p50: rtts[Math.floor(rtts.length * 0.5)],
    p99: rtts[Math.floor(rtts.length * 0.99)],
    cpu,
    cpuUsPerPublish: cpuUsed * 1000 / rtts.length,
  };
}

if (!(await redisAnswers())) throw new Error(`no Redis at ${REDIS_URL}`);
console.log(
  `${publishers} publishers, ${fanoutMs} ms fan-out per event, ${seconds} s; load ${await loadAverage()}`,
);
for (let round = 1; round <= Number(values.rounds); round++) {
  const memory = await createBroker({ broker: "memory" });
  const m = await measure(memory);
  await memory.close();
  const prefix = uniquePrefix("micro");
  const redis = await createBroker({ broker: "redis", url: REDIS_URL, prefix });
  const r = await measure(redis);
  await redis.close();
  await dropPrefix(REDIS_URL, prefix);
  const line = (name: string, x: typeof m) =>
    `${name} ${x.rate.toFixed(0)}/s rtt ${x.p50.toFixed(2)}/${
      x.p99.toFixed(2)
    } ms cpu ${(x.cpu * 100).toFixed(0)}% = ${
      x.cpuUsPerPublish.toFixed(0)
    } µs/publish`;
  console.log(
    `round ${round}: ${line("memory", m)} | ${
      line("redis", r)
    } | redis ÷ memory ${
      (r.rate / m.rate).toFixed(2)
    }× (load ${await loadAverage()})`,
  );
}

/**
 * Publish throughput of each broker on this machine (not a test).
 *
 * Usage: `deno run -A tests/realtime/brokers/bench_publish.ts [events] [--cluster]`
 * (Redis at REDIS_URL, default redis://127.0.0.1:6379; KV in a temp file;
 * with `--cluster`, also a private single redis-server and a local
 * three-master Redis Cluster it starts, for a like-for-like comparison).
 * Prints, per broker, events/s published one after another (each awaited),
 * with 32 publishes in flight on one channel and on 32 channels, plus the
 * mean publish latency.
 *
 * @module
 */
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import type { Broker } from "../../../lib/realtime/types.ts";
import { REDIS_URL, redisAnswers, uniquePrefix } from "../../_support/redis.ts";
import { dropPrefix } from "./redis_keys.ts";

const events = Number(Deno.args.find((a) => /^\d+$/.test(a)) ?? 3000);
const payload = { text: "hello, world", n: 1, tags: ["a", "b"] };

async function measure(name: string, broker: Broker): Promise<void> {
  let got = 0;
  const stop = await broker.subscribe("bench:sub", () => got++);
  let t = performance.now();
  for (let i = 0; i < events; i++) {
    await broker.publish("bench:seq", { data: payload });
  }
  const sequential = events / ((performance.now() - t) / 1000);
  const latencyMs = (performance.now() - t) / events;
  t = performance.now();
  const inFlight = 32;
  for (let i = 0; i < events; i += inFlight) {
    await Promise.all(
      Array.from(
        { length: Math.min(inFlight, events - i) },
        () => broker.publish("bench:sub", { data: payload }),
      ),
    );
  }
  const concurrent = events / ((performance.now() - t) / 1000);
  // The same, spread over 32 channels (on a cluster: over its masters).
  t = performance.now();
  for (let i = 0; i < events; i += inFlight) {
    await Promise.all(
      Array.from(
        { length: Math.min(inFlight, events - i) },
        (_, j) => broker.publish(`bench:spread${j}`, { data: payload }),
      ),
    );
  }
  const spread = events / ((performance.now() - t) / 1000);
  const deadline = Date.now() + 30_000;
  while (got < events && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await stop();
  console.log(
    `${name.padEnd(9)} sequential ${sequential.toFixed(0).padStart(7)} ev/s ` +
      `(${latencyMs.toFixed(3)} ms each)   32 in flight ${
        concurrent.toFixed(0).padStart(7)
      } ev/s   over 32 channels ${
        spread.toFixed(0).padStart(7)
      } ev/s   subscriber got ${got}/${events}`,
  );
}

const memory = await createBroker({ broker: "memory" });
await measure("memory", memory);
await memory.close();
const bc = await createBroker({
  broker: "broadcast",
  channelName: uniquePrefix("bench"),
});
await measure("broadcast", bc);
await bc.close();
if (await redisAnswers()) {
  const prefix = uniquePrefix("bench");
  const redis = await createBroker({ broker: "redis", url: REDIS_URL, prefix });
  await measure("redis", redis);
  await redis.close();
  await dropPrefix(REDIS_URL, prefix);
} else {
  console.log("redis     skipped: no Redis at " + REDIS_URL);
}
if (Deno.args.includes("--cluster")) {
  const { startRedisCluster, startRedisServer } = await import(
    "../../_support/redis_server.ts"
  );
  // A private single server beside the private cluster: same conditions.
  await using single = await startRedisServer({ appendonly: false });
  const one = await createBroker({
    broker: "redis",
    url: single.url,
    prefix: uniquePrefix("bench"),
  });
  await measure("redis 1", one);
  await one.close();
  await using cluster = await startRedisCluster(3);
  const broker = await createBroker({
    broker: "redis",
    url: cluster.url,
    cluster: true,
    prefix: uniquePrefix("bench"),
  });
  await measure("cluster", broker);
  await broker.close();
}
const dir = await Deno.makeTempDir();
const kv = await createBroker({ broker: "kv", path: `${dir}/bench.kv` });
await measure("kv", kv);
await kv.close();
await Deno.remove(dir, { recursive: true });

/**
 * One soak run: a production-like Herald process (main.ts on 127.0.0.1, a
 * free port, a low descriptor limit, documented defaults), well-behaved
 * numbered publishing and streaming beside waves of the attack mix, then
 * the verdict: every message delivered once and in order, the server still
 * listening, its peak memory within the budget.
 *
 * @example
 * ```ts
 * const result = await runSoak({ seconds: 15, scale: SHORT_SCALE });
 * result.passed; // false when anything was lost or the budget exceeded
 * ```
 * @module
 */
import { startServer } from "../../tests/_support/server.ts";
import { REDIS_URL, redisAnswers } from "../../tests/_support/redis.ts";
import { dropPrefix } from "../../tests/realtime/brokers/redis_keys.ts";
import { runWave, type Scale } from "./attacks.ts";
import {
  type Budget,
  memoryBudget,
  openFileLimit,
  resident,
} from "./budget.ts";
import { postRequest, rawRequest } from "./raw_http.ts";
import {
  Counter,
  type Delivery,
  fetchOn,
  NumberedPublisher,
  Subscriber,
} from "./well_behaved.ts";

export interface SoakOptions {
  /** How long the attacks and the publishing last. */
  seconds: number;
  scale: Scale;
  broker?: "kv" | "redis";
  /** The server's descriptor limit (soft and hard); 0 leaves it as it is. */
  nofile?: number;
  /** Well-behaved single-channel subscribers (plus one multi-channel stream). */
  subscribers?: number;
  channels?: number;
  /** Well-behaved messages per second, over all channels. */
  rate?: number;
  /** Events of 60 KB in the channel the replay and history attacks read. */
  bigEvents?: number;
  /** How long each wave holds its connections and streams. */
  holdMs?: number;
  /** Extra server environment (on top of the documented defaults). */
  env?: Record<string, string>;
  /** Write everything the server printed to this file at the end. */
  serverLog?: string;
  /** Progress lines; default none. */
  log?: (line: string) => void;
}

export interface SoakResult {
  seconds: number;
  broker: string;
  /** The server's soft open-file limit. */
  nofile: number;
  waves: number;
  delivery: Delivery;
  /** Per well-behaved client kind: delivery. */
  clients: { label: string; delivery: Delivery; reconnects: number }[];
  publisher: Record<string, number>;
  subscriberAnswers: Record<string, number>;
  gaps: number;
  /** Status of fresh requests after everything: `/about` and `/api/health`. */
  listening: { about: number | string; health: number | string };
  /** False when the server process was gone at the end. */
  alive: boolean;
  memory: { baseline: number; peak: number; final: number; budget: Budget };
  attacks: Record<string, Record<string, number>>;
  serverErrors: string[];
  passed: boolean;
  failures: string[];
}

const BIG_CHANNEL = "soak-big";
const BIG_EVENT_BYTES = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const log = opts.log ?? (() => {});
  const broker = opts.broker ?? "kv";
  const nofile = opts.nofile ?? 1024;
  const channelCount = opts.channels ?? 5;
  const subscriberCount = opts.subscribers ?? 50;
  const rate = opts.rate ?? 10;
  const holdMs = opts.holdMs ?? 20_000;
  const dir = await Deno.makeTempDir({ prefix: "herald-soak-" });
  const redisPrefix = `herald-soak:${crypto.randomUUID().slice(0, 8)}`;
  if (broker === "redis" && !(await redisAnswers())) {
    throw new Error(`no Redis answers at ${REDIS_URL}`);
  }
  const env: Record<string, string> = {
    HOSTNAME: "127.0.0.1",
    HERALD_SESSION_SECRET: crypto.randomUUID(),
    ...(broker === "redis"
      ? {
        HERALD_BROKER: "redis",
        REDIS_URL,
        HERALD_REDIS_PREFIX: redisPrefix,
      }
      : { HERALD_BROKER: "kv", HERALD_KV_PATH: `${dir}/herald.kv` }),
    ...opts.env,
  };
  const server = await startServer({
    entry: "main.ts",
    env,
    readyPath: "/api/health",
    wrapper: nofile ? ["prlimit", `--nofile=${nofile}:${nofile}`, "--"] : [],
  });
  const pid = server.process.pid;
  const serverNofile = openFileLimit(pid) ?? (nofile || 20_000);
  const subscribers: Subscriber[] = [];
  let publisher: NumberedPublisher | null = null;
  let sampling = true;
  try {
    // Warm up the routes the soak uses, then take the baseline.
    for (const path of ["/about", "/", "/chat", "/api/health"]) {
      const res = await fetch(server.url + path);
      await res.body?.cancel();
    }
    await createRoom(server.port, "soak-room");
    await sleep(1000);
    const baseline = resident(pid)!.rss;
    log(`server pid ${pid}, baseline RSS ${mb(baseline)}`);

    const bigChannel = await fillBigChannel(
      server.port,
      opts.bigEvents ?? 1000,
      log,
    );
    const channels = Array.from(
      { length: channelCount },
      (_, i) => `soak-${i}`,
    );
    publisher = new NumberedPublisher(server.url, channels);
    const startAfter = await markStart(server.url, channels);
    for (let i = 0; i < subscriberCount; i++) {
      subscribers.push(
        new Subscriber(server.url, [channels[i % channels.length]], startAfter),
      );
    }
    subscribers.push(new Subscriber(server.url, channels, startAfter));
    await Promise.all(subscribers.map((s) => s.start()));
    log(`${subscribers.length} well-behaved streams open`);

    let peakSampled = 0;
    const sampler = (async () => {
      while (sampling) {
        peakSampled = Math.max(peakSampled, resident(pid)?.rss || 0);
        await sleep(250);
      }
    })();

    const end = performance.now() + opts.seconds * 1000;
    const publishing = publisher.run(rate, end);
    const counts = new Map<string, Counter>();
    let waves = 0;
    // Bounded: each wave takes at least holdMs.
    while (performance.now() + holdMs < end && waves < 1000) {
      if (!resident(pid)) break; // the server died: nothing more to learn
      waves++;
      log(`wave ${waves}, server RSS ${mb(resident(pid)?.rss || 0)}`);
      await runWave({
        port: server.port,
        scale: opts.scale,
        bigChannel,
        counts,
        holdMs,
        wave: waves,
      });
      await sleep(1000);
    }
    if (!resident(pid)) publisher.stop();
    await publishing;
    log(`published ${[...publisher.published.values()].join("/")}; draining`);

    // Drain: until everyone has everything, or 15 s without progress (at most 90 s).
    const drainEnd = performance.now() + 90_000;
    let last = -1, lastChange = performance.now();
    while (performance.now() < drainEnd) {
      if (subscribers.every((s) => s.complete(publisher!.published))) break;
      const got = subscribers.reduce((n, s) => n + s.received(), 0);
      if (got !== last) [last, lastChange] = [got, performance.now()];
      if (performance.now() - lastChange > 15_000 || !resident(pid)) break;
      await sleep(200);
    }

    const listening = {
      about: await answers(`${server.url}/about`),
      health: await answers(`${server.url}/api/health`),
    };
    await sleep(2000);
    sampling = false;
    await sampler;
    const now = resident(pid);
    const memory = {
      baseline,
      peak: Math.max(now?.peak || 0, peakSampled),
      final: now?.rss || 0,
      budget: memoryBudget(env, {
        baseline,
        streams: subscribers.length + opts.scale.replayStreams +
          opts.scale.multiStreams,
        nofile: serverNofile,
      }),
    };

    const clients = [
      {
        label: `${subscriberCount} single-channel streams`,
        list: subscribers.slice(0, -1),
      },
      {
        label: `1 stream of ${channelCount} channels`,
        list: subscribers.slice(-1),
      },
    ].map(({ label, list }) => ({
      label,
      delivery: sum(list.map((s) => s.tally(publisher!.published))),
      reconnects: list.reduce((n, s) => n + s.reconnects, 0),
    }));
    const delivery = sum(clients.map((c) => c.delivery));
    const subscriberAnswers = new Counter();
    for (const s of subscribers) {
      for (const [k, v] of s.statuses.counts) subscriberAnswers.add(k, v);
    }
    const failures: string[] = [];
    if (!now) failures.push("the server process exited");
    if (delivery.lost) failures.push(`${delivery.lost} messages lost`);
    if (delivery.duplicated) {
      failures.push(`${delivery.duplicated} messages duplicated`);
    }
    if (delivery.outOfOrder) {
      failures.push(`${delivery.outOfOrder} messages out of order`);
    }
    if (delivery.expected === 0) failures.push("nothing was published");
    if (listening.about !== 200 || listening.health !== 200) {
      failures.push(
        `server not answering at the end (/about ${listening.about}, /api/health ${listening.health})`,
      );
    }
    if (memory.peak > memory.budget.total) {
      failures.push(
        `peak RSS ${mb(memory.peak)} over the budget ${
          mb(memory.budget.total)
        }`,
      );
    }
    for (const [name, c] of counts) {
      for (const label of c.counts.keys()) {
        if (label.endsWith("redirect to evil")) {
          failures.push(
            `${name}: ${label} (a redirect followed a hostile header)`,
          );
        }
      }
    }
    return {
      seconds: opts.seconds,
      broker,
      nofile: serverNofile,
      waves,
      delivery,
      clients,
      publisher: publisher.statuses.toJSON(),
      subscriberAnswers: subscriberAnswers.toJSON(),
      gaps: subscribers.reduce((n, s) => n + s.gaps, 0),
      listening,
      alive: now !== null,
      memory,
      attacks: Object.fromEntries(
        [...counts].map(([k, c]) => [k, c.toJSON()]),
      ),
      serverErrors: server.output().split("\n")
        .filter((l) => /uncaught|panic|EMFILE|Too many open files/i.test(l))
        .slice(0, 20),
      passed: failures.length === 0,
      failures,
    };
  } finally {
    sampling = false;
    await Promise.all(subscribers.map((s) => s.stop()));
    publisher?.close();
    await server.stop();
    if (opts.serverLog) {
      await Deno.writeTextFile(opts.serverLog, server.output());
    }
    if (broker === "redis") {
      await dropPrefix(REDIS_URL, redisPrefix).catch(() => {});
    }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

function sum(list: Delivery[]): Delivery {
  const out = {
    expected: 0,
    received: 0,
    lost: 0,
    duplicated: 0,
    outOfOrder: 0,
  };
  for (const d of list) {
    for (const k of Object.keys(out) as (keyof Delivery)[]) out[k] += d[k];
  }
  return out;
}

export function mb(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

async function answers(url: string): Promise<number | string> {
  try {
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const res = await fetchOn(client, url, {
        signal: AbortSignal.timeout(10_000),
      });
      await res.body?.cancel();
      return res.status;
    } finally {
      client.close();
    }
  } catch (err) {
    return String((err as Error).message ?? err).slice(0, 80);
  }
}

async function createRoom(port: number, room: string): Promise<void> {
  const req = postRequest(
    "/chat",
    port,
    "application/json",
    JSON.stringify({ room }),
    {
      accept: "application/json",
    },
  );
  const answer = await rawRequest({ port, from: "127.0.0.1", ...req });
  if (answer.status !== 201 && answer.status !== 409) {
    throw new Error(`creating room ${room}: ${answer.status} ${answer.body}`);
  }
}

/**
 * Publishes `count` events of 60 KB to the big channel, spread over source
 * addresses (each has its own publish allowance); returns the oldest id.
 */
async function fillBigChannel(
  port: number,
  count: number,
  log: (line: string) => void,
): Promise<{ name: string; oldestId: string }> {
  const filler = "x".repeat(BIG_EVENT_BYTES);
  const publish = async (from: string, i: number) => {
    const req = postRequest(
      `/api/channels/${BIG_CHANNEL}/messages`,
      port,
      "application/json",
      JSON.stringify({ data: { i, filler } }),
    );
    for (let attempt = 0; attempt < 20; attempt++) {
      const answer = await rawRequest({ port, from, ...req });
      if (answer.status === 201) return JSON.parse(answer.body).id as string;
      await sleep(answer.status === 429 ? 1000 : 200);
    }
    throw new Error(`could not fill ${BIG_CHANNEL}`);
  };
  const oldestId = await publish("127.0.1.1", 0);
  // 30 per address stays inside the default burst of 40.
  const perAddress = 30;
  const addresses = Math.ceil((count - 1) / perAddress);
  await Promise.all(
    Array.from({ length: addresses }, async (_, a) => {
      const from = `127.0.1.${2 + (a % 250)}`;
      for (let k = 0; k < perAddress; k++) {
        const i = 1 + a * perAddress + k;
        if (i < count) await publish(from, i);
      }
    }),
  );
  log(`${BIG_CHANNEL}: ${count} events of ${BIG_EVENT_BYTES} B`);
  return { name: BIG_CHANNEL, oldestId };
}

/** Publishes message 0 to every channel; returns the last id (streams resume after it). */
async function markStart(base: string, channels: string[]): Promise<string> {
  let id = "";
  for (const ch of channels) {
    const res = await fetch(`${base}/api/channels/${ch}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: { ch, n: 0 } }),
    });
    if (res.status !== 201) throw new Error(`start mark: ${res.status}`);
    id = (await res.json()).id;
  }
  return id;
}

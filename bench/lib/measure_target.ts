/**
 * Measures one target end to end: starts its server process, notes its idle
 * memory, opens the subscribers (separate client processes) and confirms each
 * one receives, notes the memory again, then publishes each rate step and
 * collects deliveries, latency and losses. Stops every process it started.
 *
 * @example
 * ```ts
 * const result = await measureTarget(await targetSpec("raw"), benchOptions([]), console.log);
 * ```
 * @module
 */
import { startServer } from "../../tests/_support/server.ts";
import type { BenchOptions } from "./options.ts";
import { cpuSeconds, loadAverage, residentBytes } from "./process_stats.ts";
import { Publisher, type PublishResult } from "./publisher.ts";
import { ClosedLoopPublisher } from "./closed_loop_publisher.ts";
import { SubscriberClients } from "./subscriber_clients.ts";
import type { TargetSpec } from "./targets.ts";
import { dropPrefix } from "../../tests/realtime/brokers/redis_keys.ts";
import { REDIS_URL } from "../../tests/_support/redis.ts";

export const CHANNEL = "bench";

export interface StepResult {
  /** Offered publish rate, msg/s; 0 in a closed-loop step. */
  rate: number;
  /** Closed loop: publisher connections, one publish in flight each; 0 when publishing at `rate`. */
  publishers: number;
  /** Accepted publishes per second over the step. */
  publishesPerSec: number;
  durationMs: number;
  /** Messages the server accepted. */
  published: number;
  publishFailed: number;
  /** subscribers × published */
  expected: number;
  received: number;
  /** expected − received (must be 0). */
  lost: number;
  duplicates: number;
  deliveriesPerSec: number;
  p50: number;
  p99: number;
  max: number;
  /** Publish request round trip (POST → 201), p50 and p99, ms. */
  publishP50: number;
  publishP99: number;
  /** Server CPU over the step, % of one core. */
  serverCpuPercent: number;
  /** Server CPU time per delivered event, µs: the cost, less sensitive to other load than latency. */
  serverMicrosPerDelivery: number;
  /** The machine's 1-minute load average at the end of the step. */
  loadAverage: number;
  /** Client processes' CPU over the step, % of one core (summed). */
  clientCpuPercent: number;
  /** Subscriptions the server closed by the end of the step. */
  closedByServer: number;
}

export interface TargetResult {
  name: string;
  label: string;
  /** Why the target was skipped; undefined when it ran. */
  skipped?: string;
  subscribers: number;
  connected: number;
  rssBefore: number;
  rssAfter: number;
  /** (rssAfter − rssBefore) / connected, bytes. */
  bytesPerConnection: number;
  steps: StepResult[];
  /** Rounds folded into this result (see aggregate_rounds.ts); 1 when not repeated. */
  rounds?: number;
}

/** A result with nothing measured yet (or, with `skipped`, nothing to measure). */
export function emptyResult(
  spec: Pick<TargetSpec, "name" | "label">,
  subscribers: number,
  skipped?: string,
): TargetResult {
  return {
    name: spec.name,
    label: spec.label,
    skipped,
    subscribers,
    connected: 0,
    rssBefore: 0,
    rssAfter: 0,
    bytesPerConnection: NaN,
    steps: [],
  };
}

/** With `--pin`: the server on CPU 0 (the driver and clients pin themselves to CPU 1). */
export const SERVER_CPU = ["taskset", "-c", "0"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens and closes one subscription and publishes once, so lazy start-up work is done before the memory baseline. */
async function warmUp(base: string, publisher: Publisher): Promise<void> {
  const res = await fetch(`${base}/api/channels/${CHANNEL}/events`);
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  await publisher.publish(0);
}

export async function measureTarget(
  spec: TargetSpec,
  opts: BenchOptions,
  log: (line: string) => void,
): Promise<TargetResult> {
  const result = emptyResult(spec, opts.subscribers);
  if (spec.unavailable) {
    result.skipped = spec.unavailable;
    return result;
  }
  // startServer runs `deno run -A <entry> <args>`; a profile puts the
  // flags first, the script after them.
  const profile = opts.cpuProfDir
    ? {
      entry: "--cpu-prof",
      args: [`--cpu-prof-dir=${opts.cpuProfDir}`, spec.entry],
    }
    : { entry: spec.entry };
  const server = await startServer({
    ...profile,
    wrapper: opts.pin ? SERVER_CPU : undefined,
    env: spec.env,
    cwd: spec.cwd,
    readyPath: `/api/channels/${CHANNEL}/messages`,
  });
  const pid = server.process.pid;
  let clients: SubscriberClients | undefined;
  try {
    const publisher = new Publisher(
      `${server.url}/api/channels/${CHANNEL}/messages`,
    );
    await warmUp(server.url, publisher);
    await sleep(1000);
    result.rssBefore = await residentBytes(pid);

    const opened = await SubscriberClients.open({
      url: `${server.url}/api/channels/${CHANNEL}/events`,
      subscribers: opts.subscribers,
      processes: opts.clients,
    });
    clients = opened.clients;
    result.connected = opened.status.open;
    log(
      `  ${spec.label}: ${opened.status.open}/${opts.subscribers} subscriptions open` +
        (opened.status.failed
          ? `, ${opened.status.failed} failed: ${opened.status.errors[0]}`
          : ""),
    );
    await waitForProbes(clients, publisher, result.connected);
    await sleep(2000);
    result.rssAfter = await residentBytes(pid);
    result.bytesPerConnection = (result.rssAfter - result.rssBefore) /
      result.connected;

    const url = `${server.url}/api/channels/${CHANNEL}/messages`;
    const plans = opts.closedLoop
      ? opts.publishers.map((publishers) => ({ rate: 0, publishers }))
      : opts.rates.map((rate) => ({ rate, publishers: 0 }));
    for (const [index, { rate, publishers }] of plans.entries()) {
      const plan = {
        step: index + 1,
        rate,
        publishers,
        durationMs: opts.durationMs,
        subscribers: result.connected,
      };
      const step = await runStep(clients, pid, plan, async () => {
        if (!publishers) return await publisher.run(plan);
        const loop = await ClosedLoopPublisher.connect(
          url,
          publishers,
          () => publisher.nextSeq(),
        );
        try {
          return await loop.run(plan);
        } finally {
          loop.close();
        }
      });
      result.steps.push(step);
      log(
        `  ${spec.label} @ ${
          stepLabel(step)
        }: ${step.received}/${step.expected} delivered, ` +
          `${step.publishesPerSec.toFixed(0)} publishes/s, ` +
          `POST p50/p99 ${step.publishP50.toFixed(2)}/${
            step.publishP99.toFixed(2)
          } ms, p99 ${step.p99.toFixed(2)} ms, lost ${step.lost}` +
          (step.publishFailed
            ? `, ${step.publishFailed} publishes failed`
            : ""),
      );
    }
  } catch (err) {
    throw new Error(
      `${spec.label}: ${err instanceof Error ? err.message : err}\n` +
        `server output:\n${server.output().slice(-3000)}`,
    );
  } finally {
    await clients?.stop();
    await server.stop();
    if (spec.redisPrefix) await dropPrefix(REDIS_URL, spec.redisPrefix);
    if (spec.kvDir) {
      await Deno.remove(spec.kvDir, { recursive: true }).catch(() => {});
    }
  }
  return result;
}

/** Publishes probes (step 0) until every open subscription has received one. */
async function waitForProbes(
  clients: SubscriberClients,
  publisher: Publisher,
  connected: number,
): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    await publisher.publish(0);
    await sleep(250);
    const status = await clients.status();
    if (status.withProbe >= connected) return;
  }
  const status = await clients.status();
  throw new Error(
    `only ${status.withProbe}/${connected} subscriptions received a probe in 60 s`,
  );
}

/** "100 msg/s", or "closed ×4" for a closed-loop step. */
export function stepLabel(step: Pick<StepResult, "rate" | "publishers">) {
  return step.publishers ? `closed ×${step.publishers}` : `${step.rate} msg/s`;
}

interface StepPlan {
  step: number;
  rate: number;
  publishers: number;
  durationMs: number;
  subscribers: number;
}

async function runStep(
  clients: SubscriberClients,
  pid: number,
  plan: StepPlan,
  publish: () => Promise<PublishResult>,
): Promise<StepResult> {
  const cpuBefore = await cpuSeconds(pid);
  const clientCpuBefore = await totalCpuSeconds(clients.pids);
  const published = await publish();
  const expected = published.published * plan.subscribers;

  // Drain: wait until everything arrived, or nothing more arrives for 3 s.
  let report = await clients.step(plan.step);
  let lastProgress = Date.now();
  let lastReceived = report.step.received;
  const deadline = Date.now() + 60_000;
  while (report.step.received < expected && Date.now() < deadline) {
    if (Date.now() - lastProgress > 3000) break;
    await sleep(100);
    report = await clients.step(plan.step);
    if (report.step.received > lastReceived) {
      lastReceived = report.step.received;
      lastProgress = Date.now();
    }
  }
  const end = Math.max(report.step.lastAt, published.endedAt);
  const windowMs = Math.max(plan.durationMs, end - published.startedAt);
  const cpu = (await cpuSeconds(pid)) - cpuBefore;
  const clientCpu = (await totalCpuSeconds(clients.pids)) - clientCpuBefore;
  const h = report.step.histogram;
  return {
    rate: plan.rate,
    publishers: plan.publishers,
    publishesPerSec: published.published /
      ((published.endedAt - published.startedAt) / 1000),
    durationMs: plan.durationMs,
    published: published.published,
    publishFailed: published.failed,
    expected,
    received: report.step.received,
    lost: expected - report.step.received,
    duplicates: report.step.duplicates,
    deliveriesPerSec: report.step.received / (windowMs / 1000),
    p50: h.percentile(0.5),
    p99: h.percentile(0.99),
    max: h.max,
    publishP50: published.roundTrips.percentile(0.5),
    publishP99: published.roundTrips.percentile(0.99),
    serverCpuPercent: 100 * cpu / (windowMs / 1000),
    clientCpuPercent: 100 * clientCpu / (windowMs / 1000),
    serverMicrosPerDelivery: report.step.received
      ? cpu * 1e6 / report.step.received
      : NaN,
    loadAverage: await loadAverage(),
    closedByServer: report.status.closedByServer,
  };
}

async function totalCpuSeconds(pids: number[]): Promise<number> {
  const each = await Promise.all(pids.map(cpuSeconds));
  return each.reduce((a, b) => a + b, 0);
}

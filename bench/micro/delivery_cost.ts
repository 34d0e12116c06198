/**
 * CPU cost of one delivery (one event to one subscriber) inside a single
 * process, without sockets: the same reader loop Deno's HTTP server runs on
 * a Response body (`reader.read()` per chunk), fed by each layer of Herald's
 * fan-out path in turn, so a difference can be pinned on one layer.
 *
 * - `raw-enqueue`: `controller.enqueue` on a default ReadableStream (the baseline server).
 * - `raw-enqueue-bytes-hwm`: the same with Herald's strategy (1 MiB, `size` = byteLength).
 * - `raw-bytes-hwm+desiredSize`: plus a `desiredSize` read per enqueue.
 * - `raw-bytes-hwm+pull`: plus an empty underlying-source `pull`.
 * - `outbox-send`: Herald's `Outbox.send` (lib/realtime/hub/outbox.ts).
 * - `hub-stream-live`: `HubStream.live` (lib/realtime/hub/stream.ts) over an Outbox.
 * - `hub-publish`: `broker.publish` on the memory broker through `Hub.open` streams.
 * - `hub-publish+metrics`: the same with the app's metrics on (lib/metrics:
 *   the measuring broker, per-delivery counts, one latency sample per event).
 *
 * @example
 * ```sh
 * deno run -A bench/micro/delivery_cost.ts --streams 1000 --events 300
 * ```
 * @module
 */
import { cpuUsage } from "node:process";
import { parseArgs } from "node:util";
import { Outbox } from "../../lib/realtime/hub/outbox.ts";
import { HubStream } from "../../lib/realtime/hub/stream.ts";
import { WireBatch, WireEvent } from "../../lib/realtime/hub/wire.ts";
import { Hub } from "../../lib/realtime/hub/hub.ts";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import { DEFAULT_CONFIG } from "../../lib/realtime/config.ts";
import { HeraldMetrics } from "../../lib/metrics/metrics.ts";
import { measuredBroker } from "../../lib/realtime/measured_broker.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    streams: { type: "string", default: "1000" },
    events: { type: "string", default: "300" },
    rounds: { type: "string", default: "5" },
    /** Only these layers, comma-separated (default all). */
    layers: { type: "string" },
  },
});
const STREAMS = Number(values.streams);
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const encoder = new TextEncoder();
const cpuMicros = () => {
  const { user, system } = cpuUsage();
  return user + system;
};
const payload = (i: number) =>
  encoder.encode(`id: ${i}\ndata: {"b":1,"i":${i},"t":1}\n\n`);

/** SSE blocks in `chunk`: a hub stream may carry several events in one chunk. */
function countEvents(chunk: Uint8Array): number {
  let blocks = 0;
  for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
    if (chunk[i + 1] === 10) blocks++;
  }
  return blocks;
}

/** Reads every stream like Deno.serve does; resolves when each got `expected` events. */
function consume(
  streams: ReadableStream<Uint8Array>[],
  expected: number,
): Promise<void> {
  return Promise.all(streams.map(async (stream) => {
    const reader = stream.getReader();
    let seen = 0;
    while (seen < expected) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += countEvents(value);
    }
    reader.releaseLock();
  })).then(() => {});
}

type Setup = () => Promise<{
  streams: ReadableStream<Uint8Array>[];
  publish: (i: number) => void;
  /** Chunks each stream carries before the first event (e.g. `retry:`). */
  preamble: number;
  close: () => Promise<void>;
}>;

/** Sums the `desiredSize` reads, so they cannot be optimised away. */
export let roomSeen = 0;

interface RawVariant {
  /** An underlying-source `pull` (Outbox has one, to wake waiting replays). */
  pull?: () => void;
  /** Read `desiredSize` before each enqueue, as `Outbox.hasRoom` does. */
  checkRoom?: boolean;
}

const rawSetup = (
  strategy?: QueuingStrategy<Uint8Array>,
  variant: RawVariant = {},
): Setup =>
() => {
  const controllers: ReadableStreamDefaultController<Uint8Array>[] = [];
  const streams = Array.from(
    { length: STREAMS },
    () =>
      new ReadableStream<Uint8Array>({
        start: (c) => void controllers.push(c),
        ...(variant.pull ? { pull: variant.pull } : {}),
      }, strategy),
  );
  return Promise.resolve({
    streams,
    publish: (i) => {
      const bytes = payload(i);
      for (const c of controllers) {
        if (variant.checkRoom) roomSeen += c.desiredSize ?? 0;
        c.enqueue(bytes);
      }
    },
    preamble: 0,
    close: () => Promise.resolve(),
  });
};

const LIMIT = DEFAULT_CONFIG.subscriberBufferBytes;
const BYTES_HWM: QueuingStrategy<Uint8Array> = {
  highWaterMark: LIMIT,
  size: (chunk) => chunk.byteLength,
};
const setups: Record<string, Setup> = {
  "raw-enqueue": rawSetup(),
  "raw-enqueue-bytes-hwm": rawSetup(BYTES_HWM),
  "raw-bytes-hwm+desiredSize": rawSetup(BYTES_HWM, { checkRoom: true }),
  "raw-bytes-hwm+pull": rawSetup(BYTES_HWM, { pull: () => {} }),
  "outbox-send": () => {
    const outboxes = Array.from(
      { length: STREAMS },
      () => new Outbox(LIMIT, () => {}),
    );
    return Promise.resolve({
      streams: outboxes.map((o) => o.readable),
      publish: (i) => {
        const bytes = payload(i);
        for (const o of outboxes) o.send(bytes);
      },
      preamble: 0,
      close: () => Promise.resolve(),
    });
  },
  "hub-stream-live": () => {
    const hubStreams = Array.from({ length: STREAMS }, () => {
      const s = new HubStream(new Outbox(LIMIT, () => {}), ["c"], "payload");
      s.goLive();
      return s;
    });
    return Promise.resolve({
      streams: hubStreams.map((s) => s.outbox.readable),
      publish: (i) => {
        const batch = new WireBatch([
          new WireEvent({
            id: String(i).padStart(12, "0"),
            channel: "c",
            event: "message",
            data: { b: 1, i, t: 1 },
            time: 0,
          }),
        ]);
        for (const s of hubStreams) s.live(batch);
      },
      preamble: 0,
      close: () => Promise.resolve(),
    });
  },
  "hub-publish": async () => {
    const broker = await createBroker({ broker: "memory" });
    const hub = new Hub(broker, {
      heartbeatMs: DEFAULT_CONFIG.heartbeatMs,
      retryMs: DEFAULT_CONFIG.retryMs,
      subscriberBufferBytes: LIMIT,
    });
    const streams = await Promise.all(
      Array.from(
        { length: STREAMS },
        () => hub.open({ channels: ["c"], form: "payload" }),
      ),
    );
    return {
      streams,
      publish: (i) => void broker.publish("c", { data: { b: 1, i, t: 1 } }),
      preamble: 1, // retry:
      close: async () => {
        await hub.close();
        await broker.close();
      },
    };
  },
  "hub-publish+metrics": async () => {
    const metrics = new HeraldMetrics({ broker: "memory", sampleLag: false });
    const broker = measuredBroker(
      await createBroker({ broker: "memory" }),
      metrics,
    );
    const hub = new Hub(broker, {
      heartbeatMs: DEFAULT_CONFIG.heartbeatMs,
      retryMs: DEFAULT_CONFIG.retryMs,
      subscriberBufferBytes: LIMIT,
      metrics,
    });
    const streams = await Promise.all(
      Array.from(
        { length: STREAMS },
        () => hub.open({ channels: ["c"], form: "payload" }),
      ),
    );
    return {
      streams,
      publish: (i) => void broker.publish("c", { data: { b: 1, i, t: 1 } }),
      preamble: 1, // retry:
      close: async () => {
        await hub.close();
        await broker.close();
      },
    };
  },
};

console.log(
  `CPU per delivery, ${STREAMS} streams × ${EVENTS} events, median of ${ROUNDS} rounds\n`,
);
console.log("| layer | ns/delivery |\n|---|---:|");
const only = values.layers?.split(",");
for (const [name, setup] of Object.entries(setups)) {
  if (only && !only.includes(name)) continue;
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const { streams, publish, preamble, close } = await setup();
    // Process CPU time, not wall time: on a shared machine the wall clock
    // also counts the time other processes held the core.
    const start = cpuMicros();
    const done = consume(streams, preamble + EVENTS);
    // Publish in bursts with a macrotask between, as events arrive in a server.
    for (let i = 1; i <= EVENTS; i++) {
      publish(i);
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await done;
    times.push((cpuMicros() - start) * 1e3 / (STREAMS * EVENTS));
    await close();
  }
  times.sort((a, b) => a - b);
  console.log(`| ${name} | ${times[times.length >> 1].toFixed(0)} |`);
}

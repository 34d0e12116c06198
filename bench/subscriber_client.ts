/**
 * A benchmark client process: opens `--count` SSE subscriptions to one URL
 * over raw `Deno.connect` sockets (the cheapest connection Deno has: no fetch
 * machinery, one 8 KB read buffer each), and for every `data:` line records the
 * publish-to-receive latency of the benchmark payload.
 *
 * It runs in its own process so it never shares an event loop with the server
 * under test. The parent drives it with one JSON command per stdin line and
 * reads one JSON reply per stdout line (see {@link ClientCommand} and
 * {@link ClientReply} in `lib/client_protocol.ts`).
 *
 * @example
 * ```sh
 * deno run -A bench/subscriber_client.ts --url=http://127.0.0.1:8000/api/channels/bench/events --count=1000
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { LatencyHistogram } from "./lib/latency_histogram.ts";
import { now, type PayloadFields, readPayload } from "./lib/payload.ts";
import { SseResponseReader } from "./lib/sse_response_reader.ts";
import type {
  ClientCommand,
  ClientReply,
  StepReport,
} from "./lib/client_protocol.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "64" },
  },
});
const url = new URL(values.url!);
const count = Number(values.count);
const connectConcurrency = Number(values.concurrency);

interface StepCounters {
  histogram: LatencyHistogram;
  received: number;
  duplicates: number;
  firstAt: number;
  lastAt: number;
}

const steps = new Map<number, StepCounters>();
const conns = new Set<Deno.TcpConn>();
// Subscriptions that answered 200 and are still open.
let open = 0;
let withProbe = 0;
let closedByServer = 0;
let failed = 0;
const errors: string[] = [];
let shuttingDown = false;
// The receive time of the read being parsed: one clock read per socket read.
let receivedAt = 0;
const fields: PayloadFields = { step: 0, seq: 0, time: 0 };

function stepCounters(step: number): StepCounters {
  let counters = steps.get(step);
  if (!counters) {
    counters = {
      histogram: new LatencyHistogram(),
      received: 0,
      duplicates: 0,
      firstAt: Infinity,
      lastAt: 0,
    };
    steps.set(step, counters);
  }
  return counters;
}

const request = new TextEncoder().encode(
  `GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\n` +
    `Accept: text/event-stream\r\nCache-Control: no-cache\r\n\r\n`,
);

/** Opens one subscription; resolves with its status once the head arrived. */
async function subscribe(): Promise<void> {
  const conn = await Deno.connect({
    hostname: url.hostname,
    port: Number(url.port),
  });
  conns.add(conn);
  // Which sequences arrived: publishes run concurrently, so order may vary.
  let seen = new Uint8Array(256);
  let probed = false;
  const reader = new SseResponseReader((bytes, start, end) => {
    if (!readPayload(bytes, start, end, fields)) return;
    if (fields.step === 0) {
      if (!probed) withProbe++;
      probed = true;
      return;
    }
    const counters = stepCounters(fields.step);
    const byte = fields.seq >> 3, bit = 1 << (fields.seq & 7);
    if (byte >= seen.length) {
      const grown = new Uint8Array(Math.max(seen.length * 2, byte + 1));
      grown.set(seen);
      seen = grown;
    }
    if (seen[byte] & bit) {
      counters.duplicates++;
      return;
    }
    seen[byte] |= bit;
    counters.received++;
    counters.histogram.record(receivedAt - fields.time);
    if (receivedAt < counters.firstAt) counters.firstAt = receivedAt;
    if (receivedAt > counters.lastAt) counters.lastAt = receivedAt;
  });
  await conn.write(request);
  const buf = new Uint8Array(8 * 1024);
  let headSeen = false;
  let resolveHead!: () => void;
  const head = new Promise<void>((r) => resolveHead = r);
  (async () => {
    try {
      while (true) {
        const n = await conn.read(buf);
        if (n === null) break;
        receivedAt = now();
        reader.push(buf.subarray(0, n));
        if (reader.status !== null && !headSeen) {
          headSeen = true;
          if (reader.status === 200) open++;
          resolveHead();
        }
      }
    } catch (err) {
      if (!shuttingDown) errors.push(String(err));
    }
    if (reader.status === 200) {
      open--;
      if (!shuttingDown) closedByServer++;
    }
    resolveHead();
    conns.delete(conn);
    try {
      conn.close();
    } catch { /* already closed */ }
  })();
  await head;
  if (reader.status !== 200) throw new Error(`status ${reader.status}`);
}

async function connectAll(): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      next++;
      try {
        await subscribe();
      } catch (err) {
        failed++;
        if (errors.length < 5) errors.push(String(err));
      }
    }
  };
  await Promise.all(
    Array.from({ length: Math.min(connectConcurrency, count) }, worker),
  );
}

function stepReport(step: number): StepReport {
  const c = stepCounters(step);
  return {
    received: c.received,
    duplicates: c.duplicates,
    firstAt: c.firstAt === Infinity ? 0 : c.firstAt,
    lastAt: c.lastAt,
    histogram: c.histogram.toJSON(),
  };
}

const encoder = new TextEncoder();
async function reply(message: ClientReply): Promise<void> {
  await Deno.stdout.write(encoder.encode(JSON.stringify(message) + "\n"));
}

function status() {
  return { open, withProbe, closedByServer, failed, errors };
}

async function serve(command: ClientCommand): Promise<boolean> {
  switch (command.cmd) {
    case "status":
      await reply({ type: "status", ...status() });
      return true;
    case "step":
      await reply({
        type: "step",
        ...status(),
        step: stepReport(command.step),
      });
      return true;
    case "close":
      shuttingDown = true;
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* already closed */ }
      }
      conns.clear();
      await reply({ type: "closed" });
      return false;
  }
}

await connectAll();
await reply({ type: "ready", ...status() });
const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream());
let pending = "";
read: for await (const text of lines) {
  pending += text;
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const line = pending.slice(0, newline);
    pending = pending.slice(newline + 1);
    if (line.trim() && !(await serve(JSON.parse(line)))) break read;
  }
}
Deno.exit(0);

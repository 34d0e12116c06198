/**
 * Where does a Deno server's memory per idle connection go? Starts one probe
 * server per variant (`probe_server.ts`, and `node_probe.mjs` under the system
 * Node.js for comparison), opens N connections from this process, and reports
 * per connection: the growth of resident memory (VmRSS), of the V8 heap, and
 * of what lies outside the V8 heap (RSS − V8 heap: Rust/tokio/hyper buffers,
 * malloc). Stream variants are measured twice: idle after one event, and after
 * 1,100 more events each (enough to walk a 1,024-slot ring once).
 *
 * @example
 * ```sh
 * deno run -A bench/memory/connection_memory.ts --connections 2000
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { LineProcess } from "../lib/line_process.ts";
import { residentBytes } from "../lib/process_stats.ts";

const DENO_VARIANTS = [
  "tcp-accept",
  "tcp-read",
  "serve-pending",
  "serve-keepalive",
  "serve-stream",
  "serve-stream-hwm0",
  "serve-stream-bytes",
  "serve-stream-hwm1m",
  "herald-hub",
  "serve-fetch-body",
  "serve-socket-body",
  "node-http",
  "node-http-stream",
  "listener-keepalive",
  "listener-stream",
];
const NODE_VARIANTS = ["node-tcp-accept", "node-sse"];
const STREAMING = new Set([
  "listener-stream",
  "serve-stream",
  "serve-stream-hwm0",
  "serve-stream-bytes",
  "serve-stream-hwm1m",
  "herald-hub",
  "serve-socket-body",
  "node-http",
  "node-http-stream",
  "node-sse",
]);
const EVENTS_AFTER = 1100;

const { values } = parseArgs({
  args: Deno.args,
  options: {
    connections: { type: "string", default: "1000" },
    variants: { type: "string" },
  },
});
const connections = Number(values.connections);
const variants = values.variants?.split(",") ??
  [...DENO_VARIANTS, ...NODE_VARIANTS];
const here = new URL(".", import.meta.url).pathname;

interface Memory {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  accepted: number;
}

/** Probes that need another server: variant → the upstream's variant. */
const UPSTREAM: Record<string, string> = { "serve-fetch-body": "node-sse" };

function startProbe(variant: string, upstream?: string): LineProcess {
  if (NODE_VARIANTS.includes(variant)) {
    return new LineProcess("node", [
      "--expose-gc",
      `${here}node_probe.mjs`,
      variant,
    ]);
  }
  return new LineProcess(Deno.execPath(), [
    "run",
    "-A",
    "--v8-flags=--expose-gc",
    `${here}probe_server.ts`,
    `--variant=${variant}`,
    ...(upstream ? [`--upstream=${upstream}`] : []),
  ]);
}

async function memory(probe: LineProcess, command = "mem"): Promise<Memory> {
  const reported = JSON.parse(await probe.send(command, 60_000));
  // VmRSS from /proc, the same figure the fan-out benchmark uses.
  return { ...reported, rss: await residentBytes(probe.pid) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const request = new TextEncoder().encode(
  "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
);

/** Opens one connection, sends a request, and keeps reading so the server never blocks on a full socket. */
async function open(port: number, held: Deno.TcpConn[]): Promise<void> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  held.push(conn);
  await conn.write(request);
  (async () => {
    const buf = new Uint8Array(16 * 1024);
    try {
      while ((await conn.read(buf)) !== null) { /* discard */ }
    } catch { /* closed at the end */ }
  })();
}

interface Row {
  variant: string;
  state: string;
  rss: number;
  heap: number;
  outsideHeap: number;
}

async function measure(variant: string): Promise<Row[]> {
  const upstream = UPSTREAM[variant] ? startProbe(UPSTREAM[variant]) : null;
  const upstreamUrl = upstream
    ? `http://127.0.0.1:${(await upstream.next(60_000)).split(" ")[1]}/`
    : undefined;
  const probe = startProbe(variant, upstreamUrl);
  const held: Deno.TcpConn[] = [];
  try {
    const port = Number((await probe.next(60_000)).split(" ")[1]);
    // Warm-up: one connection, so one-time set-up is not counted per connection.
    await open(port, held);
    await sleep(300);
    held.pop()!.close();
    await sleep(500);
    const before = await memory(probe);
    for (let i = 0; i < connections; i += 50) {
      await Promise.all(
        Array.from(
          { length: Math.min(50, connections - i) },
          () => open(port, held),
        ),
      );
    }
    const deadline = Date.now() + 30_000;
    while ((await memory(probe)).accepted < connections + 1) {
      if (Date.now() > deadline) {
        throw new Error(`${variant}: not all accepted`);
      }
      await sleep(200);
    }
    await sleep(1500);
    const rows = [row(variant, "idle", before, await memory(probe))];
    if (STREAMING.has(variant)) {
      // In rounds, so the clients keep up and queues stay short.
      for (let sent = 0; sent < EVENTS_AFTER; sent += 100) {
        await memory(probe, "send 100");
        await sleep(250);
      }
      await sleep(1500);
      rows.push(
        row(
          variant,
          `after ${EVENTS_AFTER} events`,
          before,
          await memory(probe),
        ),
      );
    }
    return rows;
  } finally {
    for (const conn of held) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
    await probe.stop();
    await upstream?.stop();
  }
}

function row(variant: string, state: string, a: Memory, b: Memory): Row {
  const per = (x: number) => x / connections;
  const rss = per(b.rss - a.rss);
  const heap = per(b.heapTotal - a.heapTotal);
  return { variant, state, rss, heap, outsideHeap: rss - heap };
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
console.log(
  `memory per connection, ${connections} connections (KB; after GC)\n`,
);
console.log("| variant | state | RSS | V8 heap | outside V8 heap |");
console.log("|---|---|---:|---:|---:|");
for (const variant of variants) {
  for (const r of await measure(variant)) {
    console.log(
      `| ${r.variant} | ${r.state} | ${kb(r.rss)} | ${kb(r.heap)} | ${
        kb(r.outsideHeap)
      } |`,
    );
  }
}

/**
 * One server shape per run, to find where a Deno process spends memory per
 * idle connection. Started by `connection_memory.ts`; prints
 * `listening <port>`, then answers stdin commands: `mem` (garbage-collects
 * when run with `--v8-flags=--expose-gc`, then prints memory as JSON) and
 * `send <k>` (enqueues k small events on every open stream).
 *
 * Variants (`--variant`):
 * - `tcp-accept`: `Deno.listen` + accept, nothing read.
 * - `tcp-read`: accept plus one pending `conn.read` into an 8 KB buffer.
 * - `serve-pending`: `Deno.serve`, handler never answers (request held open).
 * - `serve-keepalive`: `Deno.serve` answers a small complete body; the client
 *   keeps the connection open and idle.
 * - `serve-stream`: SSE, `ReadableStream` body with the default strategy (the
 *   raw baseline of the benchmark).
 * - `serve-stream-hwm0`: the same with `highWaterMark: 0`.
 * - `serve-stream-bytes`: the same with a `type: "bytes"` stream.
 * - `serve-stream-hwm1m`: the same with Herald's outbox strategy
 *   (`highWaterMark` 1 MiB counted in bytes).
 * - `herald-hub`: `Deno.serve` answering with Herald's own `Hub.open` stream
 *   (memory broker), without the Fresh app around it.
 * - `serve-fetch-body`: the SSE body is the body of a `fetch` to an upstream
 *   SSE server (`--upstream`), which Deno hands to hyper as a resource, not
 *   through a JS ReadableStream. Costs one extra client connection each.
 * - `serve-socket-body`: the SSE body is `conn.readable` of a loopback TCP
 *   connection inside the process (a resource-backed stream, which Deno hands
 *   to hyper directly); events are written to the other end. Same HTTP path
 *   as `serve-stream` without the JS-stream-to-Rust bridge, plus two sockets.
 * - `node-http`: `node:http` (Deno's Node compatibility layer), SSE via `res.write`.
 * - `node-http-stream`: `node:http`, the body a web `ReadableStream` (as
 *   `serve-stream`) read in JS and written with `res.write`, as a fetch-style
 *   handler served on `node:http` would be.
 * - `listener-keepalive`, `listener-stream`: `serve-keepalive` and
 *   `serve-stream` through Herald's own accept loop
 *   (`lib/fresh/src/server/listener.ts`) instead of `Deno.serve`.
 *
 * @module
 */
import { createServer, type ServerResponse } from "node:http";
import { parseArgs } from "node:util";
import { Hub } from "../../lib/realtime/hub/hub.ts";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import { DEFAULT_CONFIG } from "../../lib/realtime/config.ts";
import { listen as heraldListen } from "../../lib/fresh/src/server/listener.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    variant: { type: "string", default: "serve-stream" },
    upstream: { type: "string" },
  },
});
const variant = values.variant!;
const encoder = new TextEncoder();
const streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
const byteStreams = new Set<ReadableByteStreamController>();
const nodeResponses = new Set<ServerResponse>();
const held: unknown[] = [];
let accepted = 0;

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
};

function sseResponse(): Response {
  if (variant === "serve-stream-bytes") {
    let self: ReadableByteStreamController;
    return new Response(
      new ReadableStream({
        type: "bytes",
        start(c) {
          self = c;
          byteStreams.add(c);
          c.enqueue(encoder.encode("retry: 1000\n\n"));
        },
        cancel: () => void byteStreams.delete(self),
      }),
      { headers: SSE_HEADERS },
    );
  }
  let self: ReadableStreamDefaultController<Uint8Array>;
  const strategy: QueuingStrategy<Uint8Array> | undefined =
    variant === "serve-stream-hwm0"
      ? { highWaterMark: 0 }
      : variant === "serve-stream-hwm1m"
      ? { highWaterMark: 1024 * 1024, size: (chunk) => chunk.byteLength }
      : undefined;
  return new Response(
    new ReadableStream<Uint8Array>({
      start(c) {
        self = c;
        streams.add(c);
        c.enqueue(encoder.encode("retry: 1000\n\n"));
      },
      cancel: () => void streams.delete(self),
    }, strategy),
    { headers: SSE_HEADERS },
  );
}

async function listen(): Promise<number> {
  if (variant === "tcp-accept" || variant === "tcp-read") {
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    (async () => {
      for await (const conn of listener) {
        accepted++;
        held.push(conn);
        if (variant === "tcp-read") {
          conn.read(new Uint8Array(8192)).catch(() => {});
        }
      }
    })();
    return (listener.addr as Deno.NetAddr).port;
  }
  if (variant === "node-http-stream") {
    const server = createServer((_req, res) => {
      accepted++;
      res.writeHead(200, SSE_HEADERS);
      void pumpTo(sseResponse().body!, res);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as { port: number }).port;
  }
  if (variant === "node-http") {
    const server = createServer((_req, res) => {
      accepted++;
      res.writeHead(200, SSE_HEADERS);
      res.write("retry: 1000\n\n");
      nodeResponses.add(res);
      res.on("close", () => nodeResponses.delete(res));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return (server.address() as { port: number }).port;
  }
  if (variant.startsWith("listener-")) {
    return await new Promise<number>((resolve) => {
      heraldListen((_req) => {
        accepted++;
        return variant === "listener-keepalive"
          ? new Response("ok")
          : sseResponse();
      }, {
        hostname: "127.0.0.1",
        port: 0,
        limits: { maxConnections: 0, maxConnectionsPerAddress: 0 },
        onListen: (addr) => resolve(addr.port),
      });
    });
  }
  const hub = variant === "herald-hub" ? await heraldHub() : undefined;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    (_req) => {
      accepted++;
      if (variant === "serve-pending") return new Promise<Response>(() => {});
      if (variant === "serve-keepalive") return new Response("ok");
      if (variant === "serve-socket-body") return socketResponse();
      if (variant === "serve-fetch-body") {
        return fetch(values.upstream!).then((upstream) =>
          new Response(upstream.body, { headers: SSE_HEADERS })
        );
      }
      if (hub) {
        return hub.open({ channels: ["probe"], form: "payload" }).then((
          body,
        ) => new Response(body, { headers: SSE_HEADERS }));
      }
      return sseResponse();
    },
  );
  return server.addr.port;
}

/** Writes a web stream to a node response, waiting for `drain` when its buffer is full. */
async function pumpTo(body: ReadableStream<Uint8Array>, res: ServerResponse) {
  const reader = body.getReader();
  res.on("close", () => void reader.cancel().catch(() => {}));
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      if (!res.write(value)) {
        await new Promise((resolve) => res.once("drain", resolve));
      }
    }
  } catch { /* cancelled */ }
  res.end();
}

const socketEnds = new Set<Deno.Conn>();
let loopback: Deno.TcpListener | undefined;

/** A loopback connection; its readable side is the body, events go to the other end. */
async function socketResponse(): Promise<Response> {
  loopback ??= Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [reading, writing] = await Promise.all([
    Deno.connect({ hostname: "127.0.0.1", port: loopback.addr.port }),
    loopback.accept(),
  ]);
  socketEnds.add(writing);
  await writing.write(encoder.encode("retry: 1000\n\n"));
  return new Response(reading.readable, { headers: SSE_HEADERS });
}

/** Herald's hub over the memory broker, with its default settings. */
async function heraldHub(): Promise<Hub> {
  const broker = await createBroker({ broker: "memory" });
  publishToHub = (bytes) =>
    void broker.publish("probe", { data: new TextDecoder().decode(bytes) });
  return new Hub(broker, {
    heartbeatMs: DEFAULT_CONFIG.heartbeatMs,
    retryMs: DEFAULT_CONFIG.retryMs,
    subscriberBufferBytes: DEFAULT_CONFIG.subscriberBufferBytes,
  });
}
let publishToHub: ((bytes: Uint8Array) => void) | undefined;

function send(k: number): void {
  for (let i = 0; i < k; i++) {
    const bytes = encoder.encode(`data: {"i":${i}}\n\n`);
    for (const c of streams) c.enqueue(bytes);
    for (const c of byteStreams) c.enqueue(bytes.slice());
    for (const res of nodeResponses) res.write(bytes);
    publishToHub?.(bytes);
    for (const end of socketEnds) end.write(bytes).catch(() => {});
  }
}

const port = await listen();
console.log(`listening ${port}`);
const gc = (globalThis as { gc?: () => void }).gc;
let pending = "";
for await (
  const text of Deno.stdin.readable.pipeThrough(new TextDecoderStream())
) {
  pending += text;
  let newline;
  while ((newline = pending.indexOf("\n")) >= 0) {
    const [cmd, arg] = pending.slice(0, newline).trim().split(" ");
    pending = pending.slice(newline + 1);
    if (cmd === "send") send(Number(arg));
    gc?.();
    const m = Deno.memoryUsage();
    console.log(JSON.stringify({ ...m, accepted }));
  }
}
Deno.exit(0);

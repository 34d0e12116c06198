/**
 * The baseline of the fan-out benchmark: the least a Deno SSE fan-out can do.
 * A Set of subscribers per channel; a POST encodes its event once and writes
 * the same bytes to every subscriber. It speaks the same two routes as Herald,
 * so the benchmark client and publisher are identical for every target.
 *
 * Two HTTP servers (`RAW_HTTP`): `deno` (default), `Deno.serve` with a
 * `ReadableStream` body per subscriber; `node`, Deno's `node:http` with
 * `res.write` per subscriber (no JS stream, no per-stream ring in Rust: see
 * bench/README.md, The cost of a connection).
 *
 * Two knobs make the `Deno.serve` baseline look like Herald, to tell where
 * Herald's extra cost per delivery comes from (bench/README.md, issue 14):
 * `RAW_SSE_ID=1` gives each event an `id:` line of Herald's length, and
 * `RAW_STRATEGY=bytes` gives each stream Herald's outbox strategy (1 MiB
 * counted in bytes) and reads `desiredSize` before each enqueue, as the
 * outbox does for its budget.
 *
 * @example
 * ```sh
 * PORT=8123 deno run -A bench/raw_sse_server.ts
 * curl -N http://127.0.0.1:8123/api/channels/bench/events
 * curl -d '{"data":{"hello":1}}' http://127.0.0.1:8123/api/channels/bench/messages
 * ```
 * @module
 */
import { Buffer } from "node:buffer";
import { createServer, type ServerResponse } from "node:http";

const encoder = new TextEncoder();
const STREAM_START = encoder.encode("retry: 1000\n\n");
const ROUTE = /^\/api\/channels\/([^/]+)\/(events|messages)$/;
const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
};

/** Per channel, the stream controllers (deno) or responses (node) to write to. */
const streams = new Map<string, Set<ReadableStreamDefaultController>>();
const responses = new Map<string, Set<ServerResponse>>();

function setOf<T>(map: Map<string, Set<T>>, channel: string): Set<T> {
  let set = map.get(channel);
  if (!set) map.set(channel, set = new Set());
  return set;
}

const WITH_ID = Deno.env.get("RAW_SSE_ID") === "1";
const BYTES_STRATEGY = Deno.env.get("RAW_STRATEGY") === "bytes";
const OUTBOX_BYTES = 1024 * 1024;
let sequence = 0;

/** Encodes once, writes the same bytes to every subscriber. */
function publish(channel: string, data: unknown): void {
  const id = WITH_ID
    ? `id: ${String(++sequence).padStart(16, "0")}-0000\n`
    : "";
  const bytes = encoder.encode(`${id}data: ${JSON.stringify(data)}\n\n`);
  for (const controller of streams.get(channel) ?? []) {
    if (BYTES_STRATEGY && (controller.desiredSize ?? 0) < bytes.byteLength) {
      continue; // a full budget: Herald would cut the stream
    }
    controller.enqueue(bytes);
  }
  for (const res of responses.get(channel) ?? []) res.write(bytes);
}

const size = (chunk: Uint8Array) => chunk.byteLength;

function denoSubscribe(channel: string): Response {
  const subscribers = setOf(streams, channel);
  let self: ReadableStreamDefaultController;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      self = controller;
      subscribers.add(controller);
      controller.enqueue(STREAM_START);
    },
    cancel() {
      subscribers.delete(self);
    },
  }, BYTES_STRATEGY ? { highWaterMark: OUTBOX_BYTES, size } : undefined);
  return new Response(body, { headers: SSE_HEADERS });
}

function serveDeno(port: number): void {
  Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, async (req) => {
    const [, channel, kind] = ROUTE.exec(new URL(req.url).pathname) ?? [];
    if (kind === "events" && req.method === "GET") {
      return denoSubscribe(channel);
    }
    if (kind === "messages" && req.method === "POST") {
      publish(channel, (await req.json()).data);
      return Response.json({ channel }, { status: 201 });
    }
    return new Response("not found", { status: 404 });
  });
}

function serveNode(port: number): void {
  createServer((req, res: ServerResponse) => {
    const [, channel, kind] = ROUTE.exec(req.url ?? "") ?? [];
    if (kind === "events" && req.method === "GET") {
      res.writeHead(200, SSE_HEADERS);
      res.write(STREAM_START);
      setOf(responses, channel).add(res);
      res.on("close", () => setOf(responses, channel).delete(res));
      return;
    }
    if (kind === "messages" && req.method === "POST") {
      const parts: Uint8Array[] = [];
      req.on("data", (part: Uint8Array) => parts.push(part));
      req.on("end", () => {
        publish(channel, JSON.parse(Buffer.concat(parts).toString()).data);
        res.writeHead(201, { "content-type": "application/json" });
        res.end(JSON.stringify({ channel }));
      });
      return;
    }
    res.writeHead(404).end("not found");
  }).listen(port, "127.0.0.1");
}

// Exit (rather than die) on SIGTERM, so a `--cpu-prof` profile gets written.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

const port = Number(Deno.env.get("PORT") ?? 8000);
if (Deno.env.get("RAW_HTTP") === "node") serveNode(port);
else serveDeno(port);

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

/** Encodes once, writes the same bytes to every subscriber. */
function publish(channel: string, data: unknown): void {
  const bytes = encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  for (const controller of streams.get(channel) ?? []) {
    controller.enqueue(bytes);
  }
  for (const res of responses.get(channel) ?? []) res.write(bytes);
}

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
  });
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

/**
 * The baseline of the fan-out benchmark: the least a `Deno.serve` SSE fan-out
 * can do. A Set of stream controllers per channel; a POST encodes its event
 * once and enqueues the same bytes to every controller. It speaks the same two
 * routes as Herald, so the benchmark client and publisher are identical for
 * every target.
 *
 * @example
 * ```sh
 * PORT=8123 deno run -A bench/raw_sse_server.ts
 * curl -N http://127.0.0.1:8123/api/channels/bench/events
 * curl -d '{"data":{"hello":1}}' http://127.0.0.1:8123/api/channels/bench/messages
 * ```
 * @module
 */

const encoder = new TextEncoder();
const STREAM_START = encoder.encode("retry: 1000\n\n");
const ROUTE = new URLPattern({ pathname: "/api/channels/:channel/:kind" });

const channels = new Map<string, Set<ReadableStreamDefaultController>>();

function subscribe(channel: string): Response {
  let subscribers = channels.get(channel);
  if (!subscribers) channels.set(channel, subscribers = new Set());
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
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
    },
  });
}

async function publish(channel: string, req: Request): Promise<Response> {
  const { data } = await req.json();
  const bytes = encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  for (const controller of channels.get(channel) ?? []) {
    controller.enqueue(bytes);
  }
  return Response.json({ channel }, { status: 201 });
}

// Exit (rather than die) on SIGTERM, so a `--cpu-prof` profile gets written.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

const port = Number(Deno.env.get("PORT") ?? 8000);
Deno.serve({ hostname: "127.0.0.1", port, onListen() {} }, (req) => {
  const match = ROUTE.exec(req.url);
  const channel = match?.pathname.groups.channel;
  const kind = match?.pathname.groups.kind;
  if (channel && kind === "events" && req.method === "GET") {
    return subscribe(channel);
  }
  if (channel && kind === "messages" && req.method === "POST") {
    return publish(channel, req);
  }
  return new Response("not found", { status: 404 });
});

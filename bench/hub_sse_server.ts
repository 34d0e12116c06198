/**
 * Herald's hub and memory broker behind a bare `Deno.serve`, with the same
 * two routes as the baseline (`raw_sse_server.ts`): the fan-out benchmark's
 * `hub` target. Against `raw` it measures what the realtime core costs;
 * against `memory` (the whole app over the same broker) what the HTTP stack
 * above it costs: routes, middleware, access, sessions, metrics
 * (bench/README.md, Publish under load).
 *
 * @example
 * ```sh
 * PORT=8124 deno run -A bench/hub_sse_server.ts
 * curl -N http://127.0.0.1:8124/api/channels/bench/events
 * curl -d '{"data":{"hello":1}}' http://127.0.0.1:8124/api/channels/bench/messages
 * ```
 * @module
 */
import { MemoryBroker } from "../lib/realtime/brokers/memory.ts";
import { DEFAULT_CONFIG } from "../lib/realtime/config.ts";
import { Hub } from "../lib/realtime/hub/hub.ts";
import { SSE_HEADERS } from "../lib/realtime/sse/headers.ts";

const ROUTE = /^\/api\/channels\/([^/]+)\/(events|messages)$/;

// The memory broker's default history bounds, as the app's memory target has.
const broker = new MemoryBroker();
const hub = new Hub(broker, {
  heartbeatMs: DEFAULT_CONFIG.heartbeatMs,
  retryMs: DEFAULT_CONFIG.retryMs,
  subscriberBufferBytes: DEFAULT_CONFIG.subscriberBufferBytes,
});

// Exit (rather than die) on SIGTERM, so a `--cpu-prof` profile gets written.
Deno.addSignalListener("SIGTERM", () => Deno.exit(0));

Deno.serve({
  hostname: "127.0.0.1",
  port: Number(Deno.env.get("PORT") ?? 8000),
  onListen() {},
}, async (req) => {
  const [, channel, kind] = ROUTE.exec(new URL(req.url).pathname) ?? [];
  if (kind === "events" && req.method === "GET") {
    const body = await hub.open({ channels: [channel], form: "payload" });
    return new Response(body, { headers: SSE_HEADERS });
  }
  if (kind === "messages" && req.method === "POST") {
    const { data } = await req.json();
    const event = await broker.publish(channel, { data });
    return Response.json({ id: event.id, channel }, { status: 201 });
  }
  return new Response("not found", { status: 404 });
});

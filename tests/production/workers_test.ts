/**
 * Every core: `HERALD_WORKERS=2 deno task preview` runs two workers on one
 * port (SO_REUSEPORT). Streams land on both workers; publishes, each on a
 * new connection and so on either worker, reach every stream, in order.
 */
import assert from "node:assert/strict";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";
import {
  ensureBuild,
  startServer,
  taskPermissions,
} from "../_support/server.ts";
import { sleep, waitFor } from "../_support/wait.ts";
import { ResumingStream } from "./_resume.ts";

/** A request on a connection of its own, so the kernel picks the worker afresh. */
async function freshFetch(url: string, init?: RequestInit): Promise<Response> {
  const client = Deno.createHttpClient({});
  try {
    const res = await fetch(url, { ...init, client } as RequestInit);
    const body = await res.arrayBuffer();
    return new Response(body, { status: res.status, headers: res.headers });
  } finally {
    client.close();
  }
}

/** What each answering worker reports as its open streams, over `samples` fresh connections. */
async function streamCounts(url: string, samples = 16): Promise<number[]> {
  const counts: number[] = [];
  for (let i = 0; i < samples; i++) {
    counts.push((await (await freshFetch(`${url}/api/health`)).json()).streams);
  }
  return counts;
}

const redisUrl = await requireRedis();

for (const broker of ["kv", "redis"] as const) {
  Deno.test({
    name:
      `HERALD_WORKERS=2 (${broker}): streams on both workers get every publish, in order`,
    ignore: broker === "redis" && !redisUrl,
    sanitizeResources: false,
    sanitizeOps: false,
    fn: async () => {
      await ensureBuild();
      const dir = await Deno.makeTempDir({ prefix: "herald-workers-" });
      const env: Record<string, string> = {
        HERALD_WORKERS: "2",
        HERALD_BROKER: broker,
        HERALD_SESSION_SECRET: crypto.randomUUID(),
        ...(broker === "kv" ? { HERALD_KV_PATH: `${dir}/herald.kv` } : {
          REDIS_URL: redisUrl!,
          HERALD_REDIS_PREFIX: uniquePrefix("workers"),
        }),
      };
      const server = await startServer({
        entry: "main.ts",
        env,
        permissions: taskPermissions("preview", dir),
        readyPath: "/api/health",
      });
      const streams: ResumingStream[] = [];
      try {
        const channel = `workers-${crypto.randomUUID().slice(0, 8)}`;
        const open = async () => {
          const stream = new ResumingStream(() =>
            `${server.url}/api/channels/${channel}/events`
          );
          streams.push(stream);
          await waitFor(() => stream.connections === 1, "a stream to open");
        };
        for (let i = 0; i < 4; i++) await open();
        // Until neither worker holds all streams (nor none): both serve some.
        while (true) {
          const counts = await streamCounts(server.url);
          if (counts.every((n) => n > 0 && n < streams.length)) break;
          assert.ok(
            streams.length < 32,
            `32 streams and one worker holds them all (${counts})`,
          );
          await open();
        }

        const published: string[] = [];
        for (let n = 0; n < 30; n++) {
          const res = await freshFetch(
            `${server.url}/api/channels/${channel}/messages`,
            {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ data: { n } }),
            },
          );
          assert.equal(res.status, 201, await res.text());
          published.push(JSON.stringify({ n }));
        }
        await waitFor(
          () => streams.every((s) => s.data.length >= published.length),
          "every stream to get every publish",
        );
        await sleep(300); // a duplicate would arrive now
        for (const stream of streams) {
          assert.deepEqual(stream.data, published);
          assert.equal(stream.connections, 1, "no stream had to reconnect");
        }
      } finally {
        await Promise.all(streams.map((s) => s.close()));
        await server.stop();
        await Deno.remove(dir, { recursive: true }).catch(() => {});
      }
      assert.doesNotMatch(server.output(), /worker \d failed|not started/);
    },
  });
}

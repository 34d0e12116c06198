/**
 * The body guard of lib/fresh: whatever a route does with the body, it never
 * reads past the limit or waits on a client past the timeout, and the answer
 * is then the 413 or 408 JSON.
 */
import assert from "node:assert/strict";
import { guardBodies } from "../../../lib/fresh/src/server/body_limit.ts";

const LIMITS = { maxBytes: () => 1000, timeoutMs: 200 };

/** A body of `chunks` chunks of `size` bytes; then it ends, or stalls. */
function body(
  chunks: number,
  size: number,
  opts: { stall?: boolean; pulled?: { n: number } } = {},
): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (opts.pulled) opts.pulled.n++;
      if (sent === chunks) {
        if (opts.stall) return new Promise(() => {});
        return controller.close();
      }
      sent++;
      controller.enqueue(new Uint8Array(size).fill(97));
    },
  }, { highWaterMark: 0 });
}

function post(stream: ReadableStream<Uint8Array>, headers = {}): Request {
  return new Request("http://localhost/form", {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...headers,
    },
    body: stream,
  });
}

const readsForm = guardBodies(async (req: Request) => {
  try {
    const form = await req.formData();
    return new Response(`fields ${[...form.keys()].length}`);
  } catch {
    // A route that hides the reason: the guard still answers with its own.
    return new Response("bad form", {
      status: 400,
      headers: { "x-route": "1" },
    });
  }
}, LIMITS);

Deno.test("a body within the limit reaches the route whole", async () => {
  const res = await readsForm(post(body(2, 400)), undefined);
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "fields 1");
});

Deno.test("a streamed body over the limit: 413 JSON, no more than one chunk past it", async () => {
  const pulled = { n: 0 };
  const res = await readsForm(post(body(1000, 400, { pulled })), undefined);
  assert.equal(res.status, 413);
  assert.equal(res.headers.get("x-route"), "1", "the route's headers stay");
  assert.equal((await res.json()).error.code, "payload_too_large");
  assert.ok(pulled.n <= 4, `read ${pulled.n} chunks of 400 bytes`);
});

/** A guarded route that notes whether it ran. */
function watchedRoute() {
  const route = {
    ran: false,
    handler: guardBodies(() => {
      route.ran = true;
      return Promise.resolve(new Response("ran"));
    }, LIMITS),
  };
  return route;
}

Deno.test("a declared Content-Length over the limit is refused before the route runs", async () => {
  const route = watchedRoute();
  const res = await route.handler(
    post(body(1, 10), { "content-length": "5000" }),
    undefined,
  );
  assert.equal(res.status, 413);
  assert.equal(route.ran, false);
  await res.body?.cancel();
});

Deno.test("a body that stops coming: 408 JSON", async () => {
  const res = await readsForm(post(body(1, 10, { stall: true })), undefined);
  assert.equal(res.status, 408);
  assert.equal((await res.json()).error.code, "body_timeout");
});

Deno.test("a route slow to start reading is not the client's fault", async () => {
  const slow = guardBodies(async (req: Request) => {
    await new Promise((r) => setTimeout(r, 400)); // twice the timeout
    return new Response(await req.text());
  }, LIMITS);
  const res = await slow(post(body(2, 10)), undefined);
  assert.equal(res.status, 200);
  assert.equal((await res.text()).length, 20);
});

Deno.test("requests without a body pass untouched", async () => {
  const seen: Request[] = [];
  const handler = guardBodies((req: Request) => {
    seen.push(req);
    return Promise.resolve(new Response("ok"));
  }, LIMITS);
  const req = new Request("http://localhost/about");
  await (await handler(req, undefined)).body?.cancel();
  assert.equal(seen[0], req);
});

Deno.test("a declared Content-Length within the limit: the route reads it whole", async () => {
  const res = await readsForm(
    post(body(2, 400), { "content-length": "800" }),
    undefined,
  );
  assert.equal(res.status, 200);
  assert.equal(await res.text(), "fields 1");
});

Deno.test("a declared body that stops coming: 408 JSON, before the route runs", async () => {
  const route = watchedRoute();
  const res = await route.handler(
    post(body(1, 10, { stall: true }), { "content-length": "100" }),
    undefined,
  );
  assert.equal(res.status, 408);
  assert.equal((await res.json()).error.code, "body_timeout");
  assert.equal(route.ran, false);
});

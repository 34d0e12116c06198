/**
 * API fit and finish against a real Herald process: content types, JSON 404s
 * under /api/, history paging backwards with `more` and `trimmed`, and HEAD.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { startHerald } from "../realtime/process/_servers.ts";

async function publish(url: string, channel: string, data: unknown) {
  const res = await fetch(`${url}/api/channels/${channel}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data }),
  });
  assertEquals(res.status, 201);
  return (await res.json()).id as string;
}

async function errorOf(res: Response) {
  assert(
    res.headers.get("content-type")?.startsWith("application/json"),
    `JSON, not ${res.headers.get("content-type")}`,
  );
  const body = await res.json();
  return { status: res.status, code: body.error?.code };
}

Deno.test("a body without a content type, or JSON labelled as a form, is a 415 and publishes nothing", async () => {
  await using server = await startHerald({ HERALD_BROKER: "memory" });
  const url = `${server.url}/api/channels/ct/messages`;
  // What `curl -d '{"data":1}'` sends: JSON under curl's default form type.
  const asForm = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: '{"data":1}',
    redirect: "manual",
  });
  assertEquals(await errorOf(asForm), {
    status: 415,
    code: "unsupported_media_type",
  });
  const bare = await fetch(url, {
    method: "POST",
    body: new TextEncoder().encode('{"data":1}'), // bytes: fetch adds no type
  });
  assertEquals(await errorOf(bare), {
    status: 415,
    code: "unsupported_media_type",
  });
  const history = await (await fetch(url)).json();
  assertEquals(history.events, [], "nothing was published");
  // A real form post still works.
  const form = await fetch(url, {
    method: "POST",
    body: new URLSearchParams({ message: "hi" }),
    redirect: "manual",
  });
  assertEquals(form.status, 303);
  await form.body?.cancel();
});

Deno.test("every /api/ error is JSON, an unknown path included", async () => {
  await using server = await startHerald({ HERALD_BROKER: "memory" });
  for (const path of ["/api/nope", "/api", "/api/channels/x/nope/deeper"]) {
    for (const method of ["GET", "POST", "DELETE"]) {
      const res = await fetch(server.url + path, { method });
      assertEquals(await errorOf(res), { status: 404, code: "not_found" });
    }
  }
  const wrongMethod = await fetch(`${server.url}/api/health`, {
    method: "DELETE",
  });
  assertEquals(await errorOf(wrongMethod), {
    status: 405,
    code: "method_not_allowed",
  });
  // Pages keep their HTML 404.
  const page = await fetch(`${server.url}/nope`);
  assertEquals(page.status, 404);
  assert(page.headers.get("content-type")?.startsWith("text/html"));
  await page.body?.cancel();
});

Deno.test("history pages backwards with before=, says when more exists and when history was trimmed", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_HISTORY_LIMIT: "5",
  });
  const read = async (query: string) =>
    await (await fetch(`${server.url}/api/channels/h/messages${query}`))
      .json();
  const ids: string[] = [];
  for (let i = 0; i < 4; i++) ids.push(await publish(server.url, "h", i));
  const newest = await read("?limit=2");
  assertEquals(newest.events.map((e: { data: number }) => e.data), [2, 3]);
  assertEquals([newest.more, newest.trimmed], [true, false]);
  const older = await read(newest.next);
  assertEquals(older.events.map((e: { data: number }) => e.data), [0, 1]);
  assertEquals([older.more, older.trimmed], [false, false]);
  assertEquals(older.next, undefined);
  const before = await read(`?before=${ids[2]}&limit=10`);
  assertEquals(before.events.map((e: { data: number }) => e.data), [0, 1]);
  const forward = await read(`?after=${ids[0]}&limit=2`);
  assertEquals(forward.events.map((e: { data: number }) => e.data), [1, 2]);
  assertEquals([forward.more, forward.trimmed], [true, false]);

  // Four more: history keeps 5, so 0, 1 and 2 are gone.
  for (let i = 4; i < 8; i++) await publish(server.url, "h", i);
  const all = await read("?limit=100");
  assertEquals(all.events.map((e: { data: number }) => e.data), [
    3,
    4,
    5,
    6,
    7,
  ]);
  assertEquals([all.more, all.trimmed], [false, true]);
  const fromOld = await read(`?after=${ids[0]}&limit=100`);
  assertEquals(fromOld.events[0].data, 3);
  assertEquals(fromOld.trimmed, true, "events after ids[0] were dropped");
  const fromKept = await read(`?after=${ids[3]}`);
  assertEquals(fromKept.trimmed, false);
  assertEquals(
    (await read(`?before=${ids[3]}`)).events,
    [],
    "nothing kept below ids[3]",
  );
  assertEquals((await read(`?before=${ids[3]}`)).trimmed, true);
  const bad = await fetch(`${server.url}/api/channels/h/messages?before=x`);
  assertEquals(await errorOf(bad), { status: 400, code: "invalid_before" });
});

Deno.test("HEAD answers what GET would, without a body and without opening a stream", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_MAX_STREAMS_PER_IP: "1",
  });
  for (const path of ["/api/channels/news/events", "/api/events?channel=a"]) {
    const res = await fetch(server.url + path, { method: "HEAD" });
    assertEquals(res.status, 200);
    assertEquals(
      res.headers.get("content-type"),
      "text/event-stream; charset=utf-8",
    );
    assertEquals(await res.text(), "");
  }
  // HEAD held no stream: the one stream this address may open still opens.
  const stream = await fetch(`${server.url}/api/channels/news/events`);
  assertEquals(stream.status, 200);
  await stream.body?.cancel();
  const history = await fetch(`${server.url}/api/channels/news/messages`, {
    method: "HEAD",
  });
  assertEquals(history.status, 200);
  assert(history.headers.get("content-type")?.startsWith("application/json"));
  const bad = await fetch(`${server.url}/api/channels/bad%20name/events`, {
    method: "HEAD",
  });
  assertEquals(bad.status, 400);
  const missing = await fetch(`${server.url}/api/nope`, { method: "HEAD" });
  assertEquals(missing.status, 404);
});

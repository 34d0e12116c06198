/**
 * The history endpoint's bounds: a byte cap per response (the page stops
 * early with `more` and a `next` query that continues it, forward and
 * backward) and a process-wide cap on responses in progress (503 with
 * Retry-After, and the slot comes back once the response was taken).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { publishJson, startApi, waitFor } from "../_helpers.ts";

const KB = "x".repeat(1000);

interface Page {
  events: { id: string; data: { i: number } }[];
  more: boolean;
  next?: string;
}

async function read(url: string, query: string): Promise<Page> {
  const res = await fetch(`${url}/api/channels/h/messages${query}`);
  return await res.json();
}

Deno.test("a history response stops at the byte cap and says how to go on", async () => {
  await using api = await startApi({
    historyPageBytes: 4096,
    maxPayloadBytes: 2048,
  });
  for (let i = 0; i < 10; i++) {
    await publishJson(api.url, "h", { data: { i, pad: KB } });
  }
  // Forward from the start: pages of 3 (each event is ~1.1 KB of JSON).
  const seen: number[] = [];
  let page = await read(api.url, `?after=${"0".repeat(16)}-0000&limit=9`);
  assertEquals(page.more, true);
  while (true) {
    seen.push(...page.events.map((e) => e.data.i));
    if (!page.more) break;
    page = await read(api.url, page.next!);
  }
  // `next` goes on past the first request's limit, to the last event.
  assertEquals(
    seen,
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    "every event once, in order",
  );

  // The newest ones, then backwards with `next` (before=).
  const back: number[][] = [];
  page = await read(api.url, "?limit=10");
  while (true) {
    back.push(page.events.map((e) => e.data.i));
    if (!page.more) break;
    page = await read(api.url, page.next!);
  }
  assertEquals(back.flat().sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]);
  assertEquals(back[0].at(-1), 9, "the first page holds the newest");
  assertEquals((await read(api.url, "?limit=2")).more, true, "8 are older");
});

Deno.test("history reads past the concurrency cap get 503 with Retry-After until a slot is free", async () => {
  await using api = await startApi({ historyConcurrency: 1 });
  await publishJson(api.url, "h", { data: { i: 0 } });
  const release = api.herald.historyGate.tryAcquire()!; // a read in progress
  const busy = await fetch(`${api.url}/api/channels/h/messages`);
  assertEquals(busy.status, 503);
  assertEquals(busy.headers.get("retry-after"), "1");
  assertEquals((await busy.json()).error.code, "history_busy");
  release();
  const ok = await fetch(`${api.url}/api/channels/h/messages`);
  assertEquals(ok.status, 200);
  assertEquals((await ok.json()).events.length, 1);
  assertEquals(
    api.herald.historyGate.inUse,
    0,
    "a taken response frees its slot",
  );
});

Deno.test("a history response the client does not take is cut and frees its slot", async () => {
  await using api = await startApi({
    historyConcurrency: 1,
    historySendMs: 200,
    historyPageBytes: 16 << 20,
  });
  // 12 MB: more than the kernel's socket buffers take from a silent client.
  for (let i = 0; i < 200; i++) {
    await publishJson(api.url, "h", { data: { i, pad: KB.repeat(60) } });
  }
  const { port } = new URL(api.url);
  const conn = await Deno.connect({
    hostname: "127.0.0.1",
    port: Number(port),
  });
  await conn.write(
    new TextEncoder().encode(
      "GET /api/channels/h/messages?limit=200 HTTP/1.1\r\nHost: x\r\n\r\n",
    ),
  );
  try {
    // Never read: the slot is taken, and comes back after the send deadline.
    await waitFor(() => api.herald.historyGate.inUse === 1, "the read");
    await waitFor(() => api.herald.historyGate.inUse === 0, "the slot back");
    const ok = await fetch(`${api.url}/api/channels/h/messages?limit=1`);
    assertEquals(ok.status, 200);
    await ok.body?.cancel();
  } finally {
    conn.close();
  }
});

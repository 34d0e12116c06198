/**
 * The clock stream without a browser: ticks then `end` then the stream
 * closes; a reconnect after the end gets 204; a reconnect during the run
 * keeps the same end; a bad duration is a JSON 400.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { clockResponse, resumedEnd } from "../../lib/app/clock/stream.ts";
import { startApp } from "../_support/app.ts";

function parseEvents(text: string) {
  return text.split("\n\n").filter((b) => b.trim()).map((block) => {
    const e: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const i = line.indexOf(":");
      if (i > 0) e[line.slice(0, i)] = line.slice(i + 1).trim();
    }
    return e;
  });
}

Deno.test("ticks, then end, then the stream is over", async () => {
  let t = 10_000;
  const res = clockResponse(new Request("http://x/api/clock?duration=3"), {
    now: () => (t += 500), // every read of the clock moves it half a second
    tickMs: 1,
  });
  assertEquals(res.status, 200);
  assertEquals(
    res.headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assertEquals(res.headers.get("cache-control"), "no-cache, no-transform");
  const events = parseEvents(await res.text()); // resolves only when the stream closes
  assertEquals(events[0], { retry: "1000" });
  const ticks = events.filter((e) => e.event === "tick");
  assert(ticks.length >= 2, `${ticks.length} ticks`);
  const endsAt = 10_500 + 3000;
  assertEquals(ticks[0].id, `${endsAt}-0`);
  assertEquals(JSON.parse(ticks[0].data).remaining, 3);
  const last = events.at(-1)!;
  assertEquals([last.event, last.id], ["end", `${endsAt}-end`]);
});

Deno.test("a reconnect after the end is told to stop (204)", async () => {
  const res = clockResponse(
    new Request("http://x/api/clock", {
      headers: { "last-event-id": `${Date.now() - 1000}-end` },
    }),
  );
  assertEquals(res.status, 204);
  assertEquals(await res.text(), "");
});

Deno.test("a reconnect during the run keeps its end", async () => {
  const endsAt = Date.now() + 60_000;
  const req = new Request(`http://x/api/clock?lastEventId=${endsAt}-4`);
  assertEquals(resumedEnd(req), endsAt);
  const res = clockResponse(req);
  const reader = res.body!.getReader();
  let text = "";
  while (!text.includes("event: tick")) {
    text += new TextDecoder().decode((await reader.read()).value);
  }
  await reader.cancel(); // the client goes away: the timer must stop
  const tick = parseEvents(text).find((e) => e.event === "tick")!;
  assertEquals(tick.id, `${endsAt}-0`);
  assert(JSON.parse(tick.data).remaining > 50);
});

Deno.test("a bad duration is a JSON 400", async () => {
  for (const bad of ["0", "abc", "99999", "-5"]) {
    const res = clockResponse(
      new Request(`http://x/api/clock?duration=${bad}`),
    );
    assertEquals(res.status, 400);
    assertEquals((await res.json()).error.code, "invalid_duration");
  }
  const ok = clockResponse(new Request("http://x/api/clock?duration=2s"));
  assertEquals(ok.status, 200);
  await ok.body!.cancel();
});

Deno.test("onEnd is called once, however the answer ends", async () => {
  let ends = 0;
  const onEnd = () => ends++;
  const cancelled = clockResponse(new Request("http://x/api/clock"), { onEnd });
  assertEquals(ends, 0, "open while streaming");
  await cancelled.body!.cancel();
  assertEquals(ends, 1);

  let t = 0;
  const ran = clockResponse(new Request("http://x/api/clock?duration=1"), {
    onEnd,
    now: () => (t += 600),
    tickMs: 1,
  });
  await ran.text();
  assertEquals(ends, 2, "the run's end");

  const stopped = clockResponse(
    new Request("http://x/api/clock", {
      headers: { "last-event-id": "5-end" },
    }),
    { onEnd },
  );
  assertEquals([stopped.status, ends], [204, 3]);
  const refused = clockResponse(new Request("http://x/api/clock?duration=x"), {
    onEnd,
  });
  await refused.body?.cancel();
  assertEquals([refused.status, ends], [400, 4]);
});

Deno.test("a clock counts against the per-address stream limit and frees its slot", async () => {
  await using app = await startApp({
    env: { HERALD_BROKER: "memory", HERALD_MAX_STREAMS_PER_IP: "1" },
  });
  const first = await fetch(`${app.url}/api/clock?duration=60`);
  assertEquals(first.status, 200);
  const second = await fetch(`${app.url}/api/clock?duration=60`);
  await second.body?.cancel();
  assertEquals(second.status, 429);
  await first.body!.cancel();
  let third: Response | null = null;
  for (let i = 0; i < 100; i++) { // the server notices the cancel shortly
    third = await fetch(`${app.url}/api/clock?duration=60`);
    if (third.status === 200) break;
    await third.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
  }
  assertEquals(third!.status, 200);
  await third!.body!.cancel();
});

Deno.test("a server that stops ends the clock at once, without end, and frees its slot: the browser reconnects and goes on", async () => {
  const stopping = new AbortController();
  let ended = 0;
  const res = clockResponse(new Request("http://x/api/clock?duration=3600"), {
    signal: stopping.signal,
    onEnd: () => ended++,
  });
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: tick")) text += (await reader.read()).value;
  stopping.abort();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    text += r.value;
  }
  const events = parseEvents(text);
  assert(events.every((e) => e.event !== "end"), "no end event");
  assertEquals(ended, 1);
});

import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  HeraldLog,
  type HeraldLogRecord,
  RECENT_LOG_LIMIT,
} from "../../lib/realtime/observe.ts";
import { publishJson, startApi, waitFor } from "./_helpers.ts";

Deno.test("a HeraldLog reaches listeners until they unsubscribe, without secret fields", () => {
  const log = new HeraldLog();
  const seen: HeraldLogRecord[] = [];
  const stop = log.on((r) => seen.push(r));
  log.log("warn", "hello", { channel: "a", token: "t", authorization: "x" });
  stop();
  log.log("info", "after unsubscribe");
  assertEquals(seen.length, 1);
  assertEquals(seen[0].level, "warn");
  assertEquals(seen[0].fields, { channel: "a" });
});

Deno.test("the API logs stream opened, publish and stream closed, never the query string", async () => {
  const seen: HeraldLogRecord[] = [];
  await using api = await startApi();
  const stop = api.herald.log.on((r) => seen.push(r));
  try {
    const res = await fetch(
      `${api.url}/api/channels/logged/events?token=secret-value`,
    );
    await publishJson(api.url, "logged", { data: 1 });
    await res.body!.cancel();
    await waitFor(() => api.herald.hub.stats().streams === 0, "close");
  } finally {
    stop();
  }
  const messages = seen.map((r) => r.message);
  for (const m of ["stream opened", "published", "stream closed"]) {
    assertEquals(messages.includes(m), true, m);
  }
  assertEquals(JSON.stringify(seen).includes("secret-value"), false);
});

Deno.test("two HeraldLogs share nothing; a throwing listener breaks neither the caller nor the others", async () => {
  const one = new HeraldLog();
  const two = new HeraldLog();
  const heard: string[] = [];
  one.on(() => {
    throw new Error("broken view");
  });
  one.on((r) => heard.push(r.message));
  two.on((r) => heard.push(`two: ${r.message}`));
  one.log("info", "only one");
  assertEquals(heard, ["only one"]);
  assertEquals(two.recent(), []);

  await one.withRequestId("req-1", async () => {
    await Promise.resolve();
    one.log("info", "inside");
    two.log("info", "other log");
  });
  assertEquals(one.recent().at(-1)?.fields, { requestId: "req-1" });
  assertEquals(two.recent()[0].fields, {});
});

Deno.test("a HeraldLog keeps only the latest records, oldest first", () => {
  const log = new HeraldLog();
  for (let i = 0; i < RECENT_LOG_LIMIT + 5; i++) log.log("info", `r${i}`);
  const recent = log.recent();
  assertEquals(recent.length, RECENT_LOG_LIMIT);
  assertEquals(recent[0].message, "r5");
  assertEquals(recent.at(-1)?.message, `r${RECENT_LOG_LIMIT + 4}`);
});

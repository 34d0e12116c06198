import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  heraldLog,
  type HeraldLogRecord,
  onHeraldLog,
} from "../../lib/realtime/observe.ts";
import { publishJson, startApi, waitFor } from "./_helpers.ts";

Deno.test("heraldLog reaches listeners until they unsubscribe, without secret fields", () => {
  const seen: HeraldLogRecord[] = [];
  const stop = onHeraldLog((r) => seen.push(r));
  heraldLog("warn", "hello", { channel: "a", token: "t", authorization: "x" });
  stop();
  heraldLog("info", "after unsubscribe");
  assertEquals(seen.length, 1);
  assertEquals(seen[0].level, "warn");
  assertEquals(seen[0].fields, { channel: "a" });
});

Deno.test("the API logs stream opened, publish and stream closed, never the query string", async () => {
  const seen: HeraldLogRecord[] = [];
  const stop = onHeraldLog((r) => seen.push(r));
  try {
    await using api = await startApi();
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

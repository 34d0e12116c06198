/**
 * Logs that help: every answer carries `X-Request-Id`; 4xx and 5xx answers
 * show on the public log as warn and error, without private channel names;
 * `HERALD_LOG_FORMAT=json` prints one JSON object per record with the
 * request id.
 */
import assert from "node:assert/strict";
import { appConfigFromEnv } from "../../lib/app/config.ts";
import { LOG_CHANNEL, logEventName } from "../../lib/app/logs/entry.ts";
import { startServer } from "../_support/server.ts";
import { serveApp, TEST_ENV, testServices } from "../_support/services.ts";
import { waitFor } from "../_support/wait.ts";

Deno.test("a 4xx answer is a warning on /logs with its request id, private names redacted", async () => {
  await using app = await testServices();
  await using server = await serveApp(app);
  const res = await fetch(`${server.url}/api/channels/user:alice/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: 1 }),
  });
  await res.body?.cancel();
  assert.ok(res.status >= 400 && res.status < 500, `status ${res.status}`);
  const requestId = res.headers.get("x-request-id");
  assert.match(requestId ?? "", /^[0-9a-f]{16}$/);

  let text = "";
  await waitFor(async () => {
    const events = await app.herald.broker.history(LOG_CHANNEL);
    text = JSON.stringify(
      events.filter((e) => e.event === logEventName("warn")),
    );
    return text.includes(requestId!) && text.includes(`${res.status}`);
  }, "the warning on the public log");
  assert.ok(!text.includes("alice"), `no user name on the public log: ${text}`);
  assert.ok(text.includes("user:…"));
});

Deno.test("a 404 shows on /logs as a warning", async () => {
  await using app = await testServices();
  await using server = await serveApp(app);
  const res = await fetch(`${server.url}/no-such-page`);
  await res.body?.cancel();
  assert.equal(res.status, 404);
  await waitFor(async () => {
    const events = await app.herald.broker.history(LOG_CHANNEL);
    return events.some((e) =>
      e.event === logEventName("warn") &&
      JSON.stringify(e.data).includes("/no-such-page")
    );
  }, "the 404 as a warning");
});

Deno.test("HERALD_LOG_FORMAT must be none, text or json", () => {
  assert.throws(
    () => appConfigFromEnv({ ...TEST_ENV, HERALD_LOG_FORMAT: "xml" }),
    /HERALD_LOG_FORMAT/,
  );
  assert.equal(
    appConfigFromEnv({ ...TEST_ENV, HERALD_LOG_FORMAT: "JSON" }).logFormat,
    "json",
  );
});

Deno.test("HERALD_LOG_FORMAT=json prints structured lines with the request id", async () => {
  await using server = await startServer({
    entry: "main.ts",
    env: { ...TEST_ENV, HERALD_LOG_FORMAT: "json" },
    readyPath: "/about",
  });
  const res = await fetch(`${server.url}/api/channels/bad%20name/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: "{}",
  });
  await res.body?.cancel();
  assert.equal(res.status, 400);
  const requestId = res.headers.get("x-request-id")!;
  let line: Record<string, unknown> | undefined;
  await waitFor(() => {
    line = server.output().split("\n").filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((r) => r.requestId === requestId && r.level === "warn");
    return line !== undefined;
  }, "the JSON line of the 400");
  assert.equal(line!.status, 400);
  assert.equal(typeof line!.time, "string");
  assert.match(String(line!.msg), /answered 400/);
});

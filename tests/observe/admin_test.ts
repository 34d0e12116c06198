/**
 * `/admin` and `GET /api/channels`: off without HERALD_ADMIN_TOKEN (404);
 * 401 with the sign-in form without credentials; the form sets an HttpOnly,
 * SameSite=Strict cookie that opens both; the JSON lists channels (private
 * ones too, for the admin) with subscriber counts; nobody else can write the
 * stats channel.
 */
import assert from "node:assert/strict";
import { SseReader } from "../_support/sse_parser.ts";
import { serveApp, testServices } from "../_support/services.ts";
import { waitFor } from "../_support/wait.ts";
import type { AdminView } from "../../lib/app/admin/stats.ts";

const ADMIN = "admin-page-token-0123456789abc";

Deno.test("/admin and /api/channels do not exist without an admin token", async () => {
  await using app = await testServices();
  await using server = await serveApp(app);
  for (const path of ["/admin", "/api/channels"]) {
    const res = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${ADMIN}` },
    });
    await res.body?.cancel();
    assert.equal(res.status, 404, path);
  }
});

Deno.test("the admin signs in with the form; /api/channels lists channels with subscribers", async () => {
  await using app = await testServices({
    env: { HERALD_ADMIN_TOKEN: ADMIN, HERALD_ADMIN_STATS_MS: "100" },
  });
  await using server = await serveApp(app);

  const anonymous = await fetch(`${server.url}/admin`);
  assert.equal(anonymous.status, 401);
  assert.match(await anonymous.text(), /name="token"/);
  const json = await fetch(`${server.url}/api/channels`);
  assert.equal(json.status, 401);
  await json.body?.cancel();

  const signIn = (token: string) =>
    fetch(`${server.url}/admin`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: server.url,
      },
      body: new URLSearchParams({ token }),
    });
  const wrong = await signIn("not-the-admin-token-0123456789");
  assert.equal(wrong.status, 401);
  assert.ok(!(wrong.headers.get("set-cookie") ?? "").includes("herald_admin"));
  await wrong.body?.cancel();
  const right = await signIn(ADMIN);
  assert.equal(right.status, 303);
  await right.body?.cancel();
  const setCookie = right.headers.get("set-cookie") ?? "";
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.ok(!setCookie.includes(ADMIN), "the cookie never carries the token");
  const cookie = setCookie.split(";")[0];
  assert.match(cookie, /^herald_admin=/);

  const page = await fetch(`${server.url}/admin`, { headers: { cookie } });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /data-chart="streams"/);

  // The admin follows a private channel; the JSON names it, with 1 subscriber.
  const stream = await fetch(`${server.url}/api/channels/user:alice/events`, {
    headers: { cookie },
  });
  assert.equal(stream.status, 200);
  const reader = new SseReader(stream.body!);
  let view: AdminView | undefined;
  await waitFor(async () => {
    const res = await fetch(`${server.url}/api/channels`, {
      headers: { cookie },
    });
    view = await res.json() as AdminView;
    return view.channels.some((c) =>
      c.channel === "user:alice" && c.subscribers === 1
    );
  }, "user:alice in /api/channels");
  assert.equal(view!.processes.length, 1);
  assert.equal(view!.totals.streams, 1);
  await reader.cancel();

  const forged = await fetch(
    `${server.url}/api/channels/private:herald.stats/messages`,
    {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${ADMIN}`,
      },
      body: JSON.stringify({ data: { process: "x", time: 1, channels: [] } }),
    },
  );
  assert.equal(forged.status, 403);
  await forged.body?.cancel();
});

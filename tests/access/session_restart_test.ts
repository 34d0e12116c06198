/**
 * With no session secret configured (`deno task start` out of the box), the
 * secret is generated once and kept in the app store: a visitor keeps their
 * identity, and their open pages keep their private stream, across a server
 * restart and across processes sharing the store.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { startServer } from "../_support/server.ts";

const NO_SECRETS = { HERALD_SESSION_SECRET: "", HERALD_JWT_SECRET: "" };

async function visit(url: string, cookie?: string) {
  const res = await fetch(`${url}/`, { headers: cookie ? { cookie } : {} });
  const html = await res.text();
  const id = /data-user-id="([^"]+)"/.exec(html)?.[1];
  return { id, setCookie: res.headers.get("set-cookie") };
}

Deno.test("without a configured secret, a session survives a restart and holds in a second process", async () => {
  await using app = await startApp({ env: NO_SECRETS });
  const first = await visit(app.url);
  assert.ok(first.id && first.setCookie, "a first visit gets a session");
  const cookie = first.setCookie.split(";")[0];

  await app.restart();
  const again = await visit(app.url, cookie);
  assert.equal(again.id, first.id, "the same visitor after the restart");
  assert.equal(again.setCookie, null, "no new session was needed");
  const own = await fetch(
    `${app.url}/api/channels/user:${first.id}/messages`,
    { headers: { cookie } },
  );
  await own.body?.cancel();
  assert.equal(own.status, 200, "the private channel still opens");

  await using second = await startServer({
    entry: "main.ts",
    readyPath: "/about",
    env: {
      ...NO_SECRETS,
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: app.kvPath,
      HERALD_FLIGHTS_SIMULATOR: "off",
    },
  });
  const elsewhere = await visit(second.url, cookie);
  assert.equal(elsewhere.id, first.id, "another process on the same store");
});

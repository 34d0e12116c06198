/**
 * Pages and history reads that show a visitor's own `user:{id}` channel must
 * never be kept by a shared cache (a CDN, nginx micro-caching with
 * `proxy_cache_valid`): their URL is the same for everyone, so a cached copy
 * would show one person's private notifications to the next visitor. Every
 * answer of a route says `Cache-Control: private` unless it set its own.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { deriveSessionKey, verifySession } from "../../lib/access/session.ts";

const SESSION_SECRET = "private-cache-session-secret";

/** True when no shared cache may store this answer. */
function keptPrivate(res: Response): boolean {
  const directives = (res.headers.get("cache-control") ?? "").toLowerCase()
    .split(",").map((d) => d.trim());
  return directives.includes("private") || directives.includes("no-store");
}

Deno.test({
  name:
    "a page or history read with private notifications is never cacheable by a shared cache",
  async fn() {
    await using app = await startApp({
      env: { HERALD_BROKER: "memory", HERALD_SESSION_SECRET: SESSION_SECRET },
    });
    const first = await fetch(`${app.url}/`);
    await first.body?.cancel();
    const cookie = first.headers.get("set-cookie")!.split(";")[0];
    const session = await verifySession(
      cookie.slice(cookie.indexOf("=") + 1),
      await deriveSessionKey(SESSION_SECRET),
    );
    assert.ok(session);

    const posted = await fetch(`${app.url}/notifications`, {
      method: "POST",
      headers: { cookie, "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ message: "only for me 7f3a", to: "me" }),
      redirect: "manual",
    });
    await posted.body?.cancel();
    assert.equal(posted.status, 303);

    const page = await fetch(`${app.url}/`, { headers: { cookie } });
    assert.ok((await page.text()).includes("only for me 7f3a"));
    assert.ok(keptPrivate(page), `page: ${page.headers.get("cache-control")}`);

    const history = await fetch(
      `${app.url}/api/channels/user:${session.id}/messages`,
      { headers: { cookie } },
    );
    assert.equal(history.status, 200);
    assert.ok(JSON.stringify(await history.json()).includes("7f3a"));
    assert.ok(
      keptPrivate(history),
      `history: ${history.headers.get("cache-control")}`,
    );
  },
});

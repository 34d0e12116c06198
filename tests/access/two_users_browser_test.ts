/**
 * Two browsers (two contexts = two session cookies) on the real app: a
 * notification published by a backend token to `user:{A's id}` shows in A's
 * page and never in B's, and B cannot open A's channel even by hand.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { eventually } from "../_support/app.ts";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  deriveSessionKey,
  SESSION_COOKIE,
  verifySession,
} from "../../lib/access/session.ts";
import { hsToken, SECRET } from "./_tokens.ts";

const SESSION_SECRET = "two-users-session-secret";

async function sessionIdOf(context: BrowserContext): Promise<string> {
  const cookie = (await context.cookies()).find((c) =>
    c.name === SESSION_COOKIE
  );
  assert.ok(cookie, "the page set a session cookie");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Lax");
  const session = await verifySession(
    cookie.value,
    await deriveSessionKey(SESSION_SECRET),
  );
  assert.ok(session, "the cookie verifies with the server's key");
  return session.id;
}

/** Opens an EventSource in the page; resolves with the first message's data, or "error:" when refused. */
function listenInPage(page: Page, channel: string): Promise<string> {
  return page.evaluate((ch) =>
    new Promise<string>((resolve) => {
      const source = new EventSource(`/api/channels/${ch}/events`);
      source.onmessage = (e) => {
        source.close();
        resolve(e.data);
      };
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) resolve("error:closed");
      };
      (globalThis as { __heraldSource?: EventSource }).__heraldSource = source;
    }), channel);
}

browserTest(
  "a notification for user A shows in A's page and never in B's",
  async ({ app, browser }) => {
    const contextA = await browser.newContext();
    const contextB = await browser.newContext();
    const pageA = await contextA.newPage();
    const pageB = await contextB.newPage();
    await pageA.goto(`${app.url}/`);
    await pageB.goto(`${app.url}/`);
    const idA = await sessionIdOf(contextA);
    const idB = await sessionIdOf(contextB);
    assert.notEqual(idA, idB);

    // A's own stream opens; B's attempt on A's channel is refused.
    const aHears = listenInPage(pageA, `user:${idA}`);
    const bTries = await pageB.evaluate(async (ch) => {
      const res = await fetch(`/api/channels/${ch}/events`);
      return { status: res.status, body: await res.text() };
    }, `user:${idA}`);
    assert.equal(bTries.status, 401);
    assert.match(JSON.parse(bTries.body).error.message, new RegExp(idA));
    const bHistory = await pageB.evaluate(
      (ch) => fetch(`/api/channels/${ch}/messages`).then((r) => r.status),
      `user:${idA}`,
    );
    assert.equal(bHistory, 401);

    // Give A's EventSource and A's page feed a moment to connect, then publish as a backend.
    await eventually(
      () =>
        pageA.evaluate(() =>
          (globalThis as { __heraldSource?: EventSource }).__heraldSource
            ?.readyState === 1
        ),
      "A's EventSource to open",
    );
    const secret = `for A only ${crypto.randomUUID()}`;
    const backend = await hsToken({
      sub: "backend",
      herald: { publish: ["user:*"] },
    });
    let published = false;
    // Retry until A's page feed shows it: the island may connect after its first render.
    await eventually(
      async () => {
        if (!published) {
          const res = await fetch(
            `${app.url}/api/channels/user:${idA}/messages`,
            {
              method: "POST",
              headers: {
                authorization: `Bearer ${backend}`,
                "content-type": "application/json",
              },
              body: JSON.stringify({
                data: {
                  message: secret,
                  kind: "info",
                },
              }),
            },
          );
          assert.equal(res.status, 201, await res.text());
          published = true;
        }
        return (await pageA.textContent("body"))?.includes(secret) ?? false;
      },
      "A's page to show the notification",
      2 * WAIT.timeout,
    );

    const heard = JSON.parse(await aHears);
    assert.equal(heard.message, secret);

    // B never sees it: not live, not after a reload (server-rendered history).
    await new Promise((r) => setTimeout(r, 500));
    assert.ok(!(await pageB.textContent("body"))?.includes(secret));
    await pageB.reload();
    assert.ok(!(await pageB.textContent("body"))?.includes(secret));
    await pageA.reload();
    await eventually(
      async () => (await pageA.textContent("body"))?.includes(secret) ?? false,
      "A's reloaded page to show the notification",
    );
    await contextA.close();
    await contextB.close();
  },
  {
    app: {
      env: {
        HERALD_BROKER: "memory",
        HERALD_JWT_SECRET: SECRET,
        HERALD_SESSION_SECRET: SESSION_SECRET,
      },
    },
  },
);

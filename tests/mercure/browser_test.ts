/**
 * Chromium's native EventSource on /.well-known/mercure, fed by Symfony's
 * Mercure component: a page without a token gets only public updates, a
 * page whose `mercureAuthorization` cookie grants the topics also gets the
 * private ones, and a new EventSource resumes after a publisher-chosen id
 * (`lastEventID`, what a browser can send on its first connection).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest } from "../_support/browser.ts";
import { HUB, mercureToken, SECRET } from "./_mercure.ts";
import { requireSymfonyMercure, symfonyPublish } from "./_php.ts";

const ORDERS = "https://shop.example/orders/";

type Got = { got: string[]; es: EventSource };

/** Opens an EventSource on the hub in `page`, collecting `lastEventId:data`. */
function listen(page: Page, query: string): Promise<unknown> {
  return page.evaluate((src) => {
    const w = globalThis as unknown as Got;
    w.got = [];
    w.es = new EventSource(src);
    w.es.onmessage = (e) => w.got.push(`${e.lastEventId}:${e.data}`);
    return new Promise((resolve) => w.es.onopen = resolve);
  }, `${HUB}?${query}`);
}

async function received(page: Page, count: number): Promise<string[]> {
  await page.waitForFunction(
    (n) => (globalThis as unknown as Got).got.length >= n,
    count,
  );
  return page.evaluate(() => (globalThis as unknown as Got).got);
}

if (requireSymfonyMercure()) {
  browserTest(
    "mercure: Chromium's EventSource gets Symfony's public and private updates and resumes by a publisher id",
    async ({ app, browser, page }) => {
      const publisher = await mercureToken({ mercure: { publish: ["*"] } });
      const reader = await mercureToken({
        mercure: { subscribe: [ORDERS + "{id}"] },
      });
      const privateContext = await browser.newContext();
      await privateContext.addCookies([
        { name: "mercureAuthorization", value: reader, url: app.url },
      ]);
      const trusted = await privateContext.newPage();
      const query = `matchURLPattern=${encodeURIComponent(ORDERS + ":id")}`;
      for (const p of [page, trusted]) {
        await p.goto(app.url + "/about");
        await listen(p, query);
      }

      const publish = (n: number, isPrivate: boolean) => ({
        topics: ORDERS + n,
        data: `order ${n}`,
        private: isPrivate,
        id: `urn:order:${n}`,
      });
      await symfonyPublish(app.url + HUB, publisher, [
        publish(1, false),
        publish(2, true),
        publish(3, false),
      ]);
      assert.deepEqual(await received(page, 2), [
        "urn:order:1:order 1",
        "urn:order:3:order 3",
      ]);
      assert.deepEqual(await received(trusted, 3), [
        "urn:order:1:order 1",
        "urn:order:2:order 2",
        "urn:order:3:order 3",
      ]);

      // Away while two more are published, then back after the last id seen.
      const last = await trusted.evaluate(() => {
        const w = globalThis as unknown as Got;
        w.es.close();
        return w.got.at(-1)!.split(":order ")[0];
      });
      assert.equal(last, "urn:order:3");
      await symfonyPublish(app.url + HUB, publisher, [
        publish(4, true),
        publish(5, false),
      ]);
      await listen(trusted, `${query}&lastEventID=${encodeURIComponent(last)}`);
      assert.deepEqual(await received(trusted, 2), [
        "urn:order:4:order 4",
        "urn:order:5:order 5",
      ]);
      // The page without a token got order 5 live, never order 4.
      assert.deepEqual((await received(page, 3)).slice(2), [
        "urn:order:5:order 5",
      ]);
      await privateContext.close();
    },
    { app: { env: { HERALD_JWT_SECRET: SECRET } } },
  );
}

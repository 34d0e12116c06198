/**
 * `/herald.js` in Chromium on another site's page: the page loads the script
 * from Herald, subscribes, receives published events once and in order, and
 * after Herald restarts it reconnects by itself and gets what is published
 * next (lib/client's backoff and resume inside the bundle).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { browserTest, WAIT } from "../_support/browser.ts";
import { freePort, startServer } from "../_support/server.ts";
import { RELAXED_ACCESS_ENV } from "../realtime/_helpers.ts";
import { HeraldPublisher } from "../../sdk/publisher.ts";

browserTest(
  "a page on another site subscribes with /herald.js and survives a restart",
  async ({ page }) => {
    const dir = await Deno.makeTempDir({ prefix: "herald-js-" });
    const site = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () =>
        new Response(
          `<!doctype html><title>site</title><script src="${heraldUrl}/herald.js"></script>
<script>
  window.received = [];
  window.statuses = [];
  const herald = Herald.connect();
  herald.onStatus((s) => window.statuses.push(s));
  herald.subscribe({ channels: ["news"], onEvent: (e) => window.received.push(e.data.n) });
</script>`,
          { headers: { "content-type": "text/html" } },
        ),
    );
    const siteOrigin = `http://127.0.0.1:${site.addr.port}`;
    const port = freePort();
    const heraldUrl = `http://127.0.0.1:${port}`;
    const env = {
      ...RELAXED_ACCESS_ENV,
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_FLIGHTS_SIMULATOR: "off",
      HERALD_RETRY_MS: "200",
      HERALD_CORS_ORIGINS: siteOrigin,
    };
    const start = () =>
      startServer({ entry: "main.ts", env, port, readyPath: "/api/health" });
    let server = await start();
    try {
      const publisher = new HeraldPublisher({ url: heraldUrl });
      await page.goto(siteOrigin);
      await page.waitForFunction(
        () =>
          (window as unknown as { statuses: string[] }).statuses.includes(
            "open",
          ),
        null,
        WAIT,
      );
      for (let n = 1; n <= 3; n++) await publisher.publish("news", { n });
      await page.waitForFunction(
        () =>
          (window as unknown as { received: number[] }).received.length >= 3,
        null,
        WAIT,
      );
      await server.stop();
      server = await start();
      await page.waitForFunction(
        () =>
          (window as unknown as { statuses: string[] }).statuses.at(-1) ===
            "open",
        null,
        WAIT,
      );
      for (let n = 4; n <= 5; n++) await publisher.publish("news", { n });
      await page.waitForFunction(
        () =>
          (window as unknown as { received: number[] }).received.length >= 5,
        null,
        WAIT,
      );
      assertEquals(
        await page.evaluate(() =>
          (window as unknown as { received: number[] }).received
        ),
        [1, 2, 3, 4, 5],
      );
    } finally {
      await server.stop();
      await site.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
  { app: false },
);

/**
 * `/herald.js` in Chromium on another site's page: the page loads the script
 * from Herald, subscribes, receives published events once and in order, and
 * after Herald restarts it reconnects by itself and gets what is published
 * next (lib/client's backoff and resume inside the bundle).
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { browserTest } from "../_support/browser.ts";
import { waitFor } from "../_support/wait.ts";
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
      const state = () =>
        page.evaluate(() => {
          const w = window as unknown as {
            statuses: string[];
            received: number[];
          };
          return { statuses: [...w.statuses], received: [...w.received] };
        });
      const until = async (
        check: (s: { statuses: string[]; received: number[] }) => boolean,
        what: string,
      ) => await waitFor(async () => check(await state()), what);
      await page.goto(siteOrigin);
      await until((s) => s.statuses.includes("open"), "the stream to open");
      for (let n = 1; n <= 3; n++) await publisher.publish("news", { n });
      await until((s) => s.received.length >= 3, "three events");
      await server.stop();
      await until((s) => s.statuses.at(-1) !== "open", "the page to notice");
      server = await start();
      await until((s) => s.statuses.at(-1) === "open", "the stream to reopen");
      for (let n = 4; n <= 5; n++) await publisher.publish("news", { n });
      await until((s) => s.received.length >= 5, "five events");
      assertEquals((await state()).received, [1, 2, 3, 4, 5]);
      assert(
        (await state()).statuses.includes("reconnecting"),
        JSON.stringify((await state()).statuses),
      );
    } finally {
      await server.stop();
      await site.shutdown();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
  { app: false },
);

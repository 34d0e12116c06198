/**
 * The /clock page in Chromium: the time ticks from the server, the run ends
 * with the server's `end` event, and the page then stays closed: no
 * reconnect loop (one `/api/clock` request for the whole run).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Request } from "playwright-core";
import { launchChromium, requireChromium } from "../_support/chromium.ts";
import {
  assertNoHorizontalOverflow,
  eventually,
  PHONE_VIEWPORT,
  startApp,
} from "../_support/app.ts";

const chromium = requireChromium();

Deno.test({
  name: "clock page ticks, ends cleanly and does not reconnect",
  ignore: !chromium,
  fn: async () => {
    await using app = await startApp();
    const browser = await launchChromium();
    try {
      const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
      const requests: Request[] = [];
      context.on("request", (r) => {
        if (new URL(r.url()).pathname === "/api/clock") requests.push(r);
      });
      const page = await context.newPage();
      await page.goto(app.url + "/clock?duration=3");
      const time = page.locator("[role=timer] time");
      const first = await time.getAttribute("datetime");
      await page.getByText(/Ends in \d+ s/).waitFor({ timeout: 15_000 });
      await eventually(
        async () => (await time.getAttribute("datetime")) !== first,
        "the clock to tick",
      );
      await assertNoHorizontalOverflow(page);

      await page.locator('[data-ended="true"]').waitFor({ timeout: 15_000 });
      await page.getByText("The clock stream has ended.").waitFor();
      assertEquals(
        await page.locator('[data-status="closed"]').count(),
        1,
        "the badge says the stream is closed",
      );
      // Longer than the server's retry delay (1 s): a loop would show here.
      await page.waitForTimeout(2500);
      assertEquals(requests.length, 1);

      // "Start again" opens one new run.
      await page.getByRole("button", { name: "Start again" }).click();
      await page.locator('[data-ended="false"]').waitFor();
      await eventually(() => requests.length === 2, "a new run");
      await context.close();
    } finally {
      await browser.close();
    }
  },
});

Deno.test({
  name:
    "a clock whose server was down over its end stays ended after the restart",
  ignore: !chromium,
  fn: async () => {
    await using app = await startApp();
    const browser = await launchChromium();
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(app.url + "/clock?duration=3");
      await page.getByText(/Ends in \d+ s/).waitFor({ timeout: 15_000 });

      await app.stopServer();
      await page.locator('[data-status="reconnecting"]').waitFor({
        timeout: 15_000,
      });
      // Down for longer than the run (3 s) plus the reconnect delay.
      await page.waitForTimeout(4500);
      let newRuns = 0;
      context.on("response", (r) => {
        if (new URL(r.url()).pathname === "/api/clock" && r.status() === 200) {
          newRuns++;
        }
      });
      await app.restart();

      await page.locator('[data-ended="true"]').waitFor({ timeout: 30_000 });
      await page.getByText("The clock stream has ended.").waitFor();
      assertEquals(
        await page.getByRole("button", { name: "Start again" }).isEnabled(),
        true,
        "a new run is offered",
      );
      // Longer than the server's retry delay (1 s): a restarted run would show here.
      await page.waitForTimeout(2500);
      assertEquals(newRuns, 0, "the run that ended did not start over");
      assertEquals(await page.getByText(/Ends in \d+ s/).count(), 0);
      await context.close();
    } finally {
      await browser.close();
    }
  },
});

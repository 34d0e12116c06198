/**
 * The /clock page in Chromium: the time ticks from the server, the run ends
 * with the server's `end` event, and the page then stays closed: no
 * reconnect loop (one `/api/clock` request for the whole run).
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Request } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  assertNoHorizontalOverflow,
  eventually,
  PHONE_VIEWPORT,
} from "../_support/app.ts";

browserTest(
  "clock page ticks, ends cleanly and does not reconnect",
  async ({ app, page }) => {
    const requests: Request[] = [];
    page.context().on("request", (r) => {
      if (new URL(r.url()).pathname === "/api/clock") requests.push(r);
    });
    await page.goto(app.url + "/clock?duration=3");
    const time = page.locator("[role=timer] time");
    const first = await time.getAttribute("datetime");
    await page.getByText(/Ends in \d+ s/).waitFor(WAIT);
    await eventually(
      async () => (await time.getAttribute("datetime")) !== first,
      "the clock to tick",
    );
    await assertNoHorizontalOverflow(page);

    await page.locator('[data-ended="true"]').waitFor(WAIT);
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
  },
  { context: { viewport: PHONE_VIEWPORT } },
);

browserTest(
  "a clock whose server was down over its end stays ended after the restart",
  async ({ app, page }) => {
    // Long enough that the server is down before the run ends even on a
    // loaded machine: with 3 s, the first tick showed late and the stop came
    // after the run's `end`, so the stream never was cut.
    const seconds = 8;
    await page.goto(app.url + `/clock?duration=${seconds}`);
    await page.getByText(/Ends in \d+ s/).waitFor(WAIT);
    // The run began before its first tick showed, so it is over by then.
    const runOver = Date.now() + seconds * 1000;

    await app.stopServer();
    await page.locator('[data-status="reconnecting"]').waitFor(WAIT);
    // Down past the run's end, plus the reconnect delay (1 s).
    await page.waitForTimeout(Math.max(0, runOver + 1000 - Date.now()));
    let newRuns = 0;
    page.context().on("response", (r) => {
      if (new URL(r.url()).pathname === "/api/clock" && r.status() === 200) {
        newRuns++;
      }
    });
    await app.restart();

    // Past the reconnect backoff that grew while the server was down.
    await page.locator('[data-ended="true"]').waitFor({
      timeout: 2 * WAIT.timeout,
    });
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
  },
);

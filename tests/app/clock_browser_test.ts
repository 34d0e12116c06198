/**
 * The /clock page in Chromium: the time ticks from the server over the page's
 * shared stream (never a stream of its own), the run ends with the server's
 * `end` event and shows "Ended" (not "Offline"), nothing starts a new run by
 * itself; a reload goes on with the same run, and a run whose server was down
 * over its end stays ended.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Page, Request } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  assertNoHorizontalOverflow,
  eventually,
  PHONE_VIEWPORT,
} from "../_support/app.ts";

/** The run starts (`POST /clock/runs`) and clock streams (`/api/clock`) of the context. */
function clockRequests(page: Page) {
  const starts: Request[] = [];
  const ownStreams: Request[] = [];
  page.context().on("request", (r) => {
    const path = new URL(r.url()).pathname;
    if (path === "/clock/runs") starts.push(r);
    if (path === "/api/clock") ownStreams.push(r);
  });
  return { starts, ownStreams };
}

browserTest(
  "clock page ticks, ends cleanly and does not start again by itself",
  async ({ app, page }) => {
    const { starts, ownStreams } = clockRequests(page);
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
    await page.getByText("This run has ended.").waitFor();
    // The badge says the run ended, not that the page is offline.
    await page.locator('[data-status="ended"]', { hasText: "Ended" }).waitFor();
    assertEquals(await page.locator('[data-status="closed"]').count(), 0);
    // Longer than the stall check (5 s): a new run by itself would show here.
    await page.waitForTimeout(6000);
    assertEquals(starts.length, 1);
    assertEquals(ownStreams.length, 0, "no stream of its own");

    // "Start again" opens one new run.
    await page.getByRole("button", { name: "Start again" }).click();
    await page.locator('[data-ended="false"]').waitFor();
    await eventually(() => starts.length === 2, "a new run");
    await page.getByText(/Ends in \d+ s/).waitFor(WAIT);
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
    const { starts } = clockRequests(page);
    await app.restart();

    // Past the reconnect backoff that grew while the server was down.
    await page.locator('[data-ended="true"]').waitFor({
      timeout: 2 * WAIT.timeout,
    });
    await page.getByText("This run has ended.").waitFor();
    assertEquals(
      await page.getByRole("button", { name: "Start again" }).isEnabled(),
      true,
      "a new run is offered",
    );
    // Longer than the stall check (5 s): a restarted run would show here.
    await page.waitForTimeout(6000);
    assertEquals(starts.length, 0, "the run that ended did not start over");
    assertEquals(await page.getByText(/Ends in \d+ s/).count(), 0);
  },
);

browserTest(
  "a reload goes on with the same run, and after its end shows it ended",
  async ({ app, page }) => {
    const { starts } = clockRequests(page);
    await page.goto(app.url + "/clock?duration=6");
    await page.getByText(/Ends in \d+ s/).waitFor(WAIT);
    await page.reload();
    await page.getByText(/Ends in \d+ s/).waitFor(WAIT);
    assertEquals(starts.length, 1, "the reload started no run");
    await page.locator('[data-ended="true"]').waitFor(WAIT);
    await page.reload();
    await page.getByText("This run has ended.").waitFor(WAIT);
    assertEquals(starts.length, 1, "nor did the reload after the end");
  },
);

/**
 * The flight board in Chromium, against the app running as its own process
 * (Deno KV in a temp file): a change renders live in every open page, only in
 * arrival states and never landed before its time, and a page opened later
 * shows the current state; pause stops the simulator for
 * everyone and resume starts it again; two processes on one KV file run
 * exactly one simulator, and the other takes over when the holder is killed.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Browser, Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import { assertNoHorizontalOverflow, eventually } from "../_support/app.ts";
import { startServer } from "../_support/server.ts";
import type { SimulatorStatus } from "../../lib/app/flights/types.ts";
import type { StepEvent } from "../../lib/app/flights/simulate.ts";

async function openBoard(browser: Browser, url: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(url + "/flights");
  await page.locator('[data-status="open"]').first().waitFor(WAIT);
  return page;
}

const pageSeq = async (page: Page) =>
  Number(await page.getAttribute("#flight-board", "data-seq"));

async function status(url: string): Promise<SimulatorStatus> {
  const res = await fetch(url + "/flights/status");
  return await res.json();
}

async function rowShows(page: Page, step: StepEvent) {
  if (step.event === "flightRemoval") {
    const row = page.locator(
      `#flight-rows tr[data-flight-id="${step.data.id}"]`,
    );
    await eventually(async () => (await row.count()) === 0, "the row to go");
    return;
  }
  const { flight } = step.data;
  const row = page.locator(`#flight-rows tr[data-flight-id="${flight.id}"]`);
  await eventually(
    async () =>
      (await row.count()) === 1 &&
      (await row.getAttribute("data-state")) === flight.state,
    `row ${flight.id} to show ${flight.state}`,
  );
}

browserTest(
  "flight board updates live and pauses (manual steps)",
  async ({ app, browser, t }) => {
    const one = await openBoard(browser, app.url);
    const two = await openBoard(browser, app.url);
    const step = async () => {
      const res = await fetch(app.url + "/flights/step", { method: "POST" });
      return { status: res.status, body: await res.json() };
    };

    await t.step("a change renders in every open page", async () => {
      assert.equal(await one.locator("#flight-rows tr").count(), 8);
      for (let i = 0; i < 6; i++) {
        const { status, body } = await step();
        assert.equal(status, 201);
        await rowShows(one, body);
        await rowShows(two, body);
        assert.equal(await pageSeq(one), body.data.seq);
      }
    });

    await t.step(
      "arrival states only, and never Landed before the flight's time",
      async () => {
        const labels = new Set<string>();
        for (let i = 0; i < 40; i++) {
          const { status, body } = await step();
          assert.equal(status, 201);
          await one.locator(`#flight-board[data-seq="${body.data.seq}"]`)
            .waitFor(WAIT);
          const shown = await one.evaluate(() => {
            const clock = Number(
              document.querySelector("[data-clock]")!.getAttribute(
                "data-clock",
              ),
            );
            return [...document.querySelectorAll("#flight-rows tr")].map(
              (row) => ({
                label: row.querySelector("td:last-child")!.textContent!,
                left: Number(row.getAttribute("data-expected")) - clock,
              }),
            );
          });
          for (const { label, left } of shown) {
            labels.add(label);
            if (label === "Landed") {
              assert(left <= 0, `landed ${left} ms early`);
            }
            if (label === "Scheduled" || label === "Delayed") {
              assert(left > 0, `${label} ${-left} ms after its time`);
            }
          }
        }
        assert(labels.has("Landed"), [...labels].join());
        for (const label of labels) {
          assert(
            ["Scheduled", "Delayed", "Approaching", "Landed", "Cancelled"]
              .includes(label),
            label,
          );
        }
      },
    );

    await t.step(
      "the navigation and the heading name the page alike",
      async () => {
        const current = one.locator(
          'nav[aria-label="Main"] [aria-current="page"]',
        );
        assert.equal(await current.innerText(), "Arrivals");
        assert.equal(await one.locator("main h1").innerText(), "Arrivals");
        assert.equal(await one.title(), "Arrivals · Herald");
      },
    );

    await t.step("a page opened later shows the current state", async () => {
      const late = await (await browser.newContext({
        javaScriptEnabled: false,
      })).newPage();
      await late.goto(app.url + "/flights");
      const rows = (p: Page) =>
        p.locator("#flight-rows tr").evaluateAll((els) =>
          els.map((el) =>
            `${el.getAttribute("data-flight-id")}=${
              el.getAttribute("data-state")
            }`
          )
        );
      assert.deepEqual(await rows(late), await rows(one));
      assert.equal(await pageSeq(late), await pageSeq(one));
      await late.context().close();
    });

    await t.step("pause reaches every page and refuses changes", async () => {
      await one.click("#flights-pause");
      await two.locator('#flight-board[data-paused="true"]').waitFor(WAIT);
      assert.equal(
        await two.locator("#flights-pause").innerText(),
        "Resume updates",
      );
      const seq = await pageSeq(two);
      const refused = await step();
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, "paused");
      assert.equal((await status(app.url)).seq, seq);
      await two.click("#flights-pause");
      await one.locator('#flight-board[data-paused="false"]').waitFor(WAIT);
      const { status: code, body } = await step();
      assert.equal(code, 201);
      await rowShows(one, body);
    });

    await t.step("nothing overflows sideways at 375 px", async () => {
      const page = await (await browser.newContext({
        viewport: { width: 375, height: 740 },
      })).newPage();
      await page.goto(app.url + "/flights");
      await assertNoHorizontalOverflow(page);
      await page.context().close();
    });

    await t.step(
      "a pause that cannot reach the server says so beside the button",
      async () => {
        await app.stopServer();
        await one.click("#flights-pause");
        await one.locator("#flights-error", { hasText: "could not" })
          .waitFor(WAIT);
        assert.equal(
          await one.getAttribute("#flight-board", "data-paused"),
          "false",
        );
        assert.equal(
          await one.locator("#flights-pause").innerText(),
          "Pause updates",
        );
      },
    );
  },
  {
    // The simulator ticks once an hour here: only the test's steps change the board.
    app: {
      env: { HERALD_FLIGHTS_STEP: "on", HERALD_FLIGHTS_TICK_MS: "3600000" },
    },
  },
);

browserTest(
  "flight simulator: pause stops it; exactly one of two processes runs it",
  async ({ browser, t }) => {
    const dir = await Deno.makeTempDir({ prefix: "herald-flights-" });
    const env = {
      HERALD_BROKER: "kv",
      HERALD_KV_PATH: `${dir}/herald.kv`,
      HERALD_FLIGHTS_TICK_MS: "150",
      // A holder renews every third of the lease: a loaded machine stalled a
      // process past 1.5 s, the lease passed to the other, and the first step
      // found ticks on the non-leader. 5 s leaves a stall of 3 s.
      HERALD_FLIGHTS_LEASE_MS: "5000",
    };
    const servers = [
      await startServer({ entry: "main.ts", readyPath: "/about", env }),
      await startServer({ entry: "main.ts", readyPath: "/about", env }),
    ];
    try {
      // Each process starts its simulator on its first /flights request.
      const page = await openBoard(browser, servers[0].url);
      await (await fetch(servers[1].url + "/flights")).body?.cancel();

      let leader = -1;
      await t.step("exactly one process holds the lease", async () => {
        await eventually(
          async () =>
            (await status(servers[0].url)).leader ||
            (await status(servers[1].url)).leader,
          "a lease holder",
        );
        const [a, b] = await Promise.all(servers.map((s) => status(s.url)));
        assert.notEqual(a.processId, b.processId);
        assert.equal([a.leader, b.leader].filter(Boolean).length, 1);
        leader = a.leader ? 0 : 1;
        const holder = [a, b][leader].processId;
        assert.equal(a.leaseHolder, holder);
        assert.equal(b.leaseHolder, holder);
        assert.equal([a, b][1 - leader].ticks, 0);
      });

      await t.step("the simulator's changes render live", async () => {
        const seq = await pageSeq(page);
        await eventually(
          async () => (await pageSeq(page)) > seq + 2,
          "updates",
        );
      });

      await t.step(
        "pause stops the simulator; resume starts it again",
        async () => {
          await page.click("#flights-pause");
          await page.locator('#flight-board[data-paused="true"]').waitFor(WAIT);
          const paused = await status(servers[leader].url);
          // The leader ticks several times while paused, changing nothing.
          await eventually(
            async () =>
              (await status(servers[leader].url)).ticks >= paused.ticks + 5,
            "paused ticks",
          );
          assert.equal((await status(servers[leader].url)).seq, paused.seq);
          assert.equal(await pageSeq(page), paused.seq);
          await page.click("#flights-pause");
          await eventually(
            async () => (await pageSeq(page)) > paused.seq + 2,
            "updates after resume",
          );
        },
      );

      await t.step(
        "the other process takes over when the holder dies",
        async () => {
          const survivor = servers[1 - leader];
          // SIGKILL: the holder cannot release its lease; it has to expire.
          servers[leader].process.kill("SIGKILL");
          await servers[leader].stop();
          await eventually(
            async () => (await status(survivor.url)).leader,
            "the survivor to take the lease",
          );
          const s = await status(survivor.url);
          assert.equal(s.leaseHolder, s.processId);
          await eventually(
            async () => (await status(survivor.url)).seq > s.seq + 2,
            "the survivor to change the board",
          );
        },
      );
    } finally {
      // The pages go first, so that no open stream holds up a server's stop.
      await browser.close();
      for (const server of servers) await server.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
  { app: false },
);

/**
 * The assistant in Chromium, against the app running as its own process (Deno
 * KV in a temp file), tokens released by hand (`HERALD_ASSISTANT_STEP=on`) so
 * the test, not a clock, decides where an answer is: words appear as they are
 * written; a reload and a second tab mid-answer show what was written and go
 * on with no word repeated or missing; the finished answer is stored and
 * listed; stop ends an answer where it was; regenerate writes another one.
 * The expected words come from the same Markov source (it is deterministic).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import { assertNoHorizontalOverflow, eventually } from "../_support/app.ts";
import { MarkovSource } from "../../lib/app/assistant/markov.ts";
import { CORPUS_URL } from "../../lib/app/assistant/runtime.ts";

const MAX_TOKENS = 60;
const markov = new MarkovSource(await Deno.readTextFile(CORPUS_URL));
const answerTo = (question: string, attempt = 0) =>
  markov.words({ question, attempt, maxTokens: MAX_TOKENS });

async function open(page: Page, url: string) {
  await page.goto(url + "/assistant");
  await page.locator('[data-status="open"]').first().waitFor(WAIT);
}

/** What the answer being written shows now. */
const liveText = (page: Page) =>
  page.locator("#assistant-live").textContent({ timeout: WAIT.timeout });

/** Waits until the answer being written shows exactly the first `n` words. */
async function showsWords(page: Page, words: string[], n: number) {
  const expected = words.slice(0, n).join(" ");
  await eventually(
    async () => (await liveText(page)) === expected,
    `the first ${n} words (showing "${await liveText(page)}")`,
  );
}

/** The stored answers listed, oldest first. */
const listed = (page: Page) =>
  page.locator("#assistant-answers li").evaluateAll((items) =>
    items.map((li) => ({
      id: li.getAttribute("data-answer-id"),
      text: li.querySelector("[data-answer-text]")?.textContent ?? "",
      stopped: (li.textContent ?? "").includes("Stopped early."),
    }))
  );

browserTest(
  "the assistant streams, resumes after a reload and in a second tab, stops, regenerates and lists answers",
  async ({ app, page, t }) => {
    /** Lets the answer being written go `tokens` further. */
    const step = async (tokens: number) => {
      const res = await fetch(app.url + "/assistant/step", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ tokens }),
      });
      assert.deepEqual(await res.json(), { running: 1 });
    };
    const question = "Where does the rabbit-hole go?";
    const words = answerTo(question);
    assert.ok(words.length > 20, `a long enough answer (${words.length})`);
    let answerId: string | null = null;
    const second = await page.context().newPage();

    await t.step("words appear as they are written", async () => {
      await open(page, app.url);
      await page.getByLabel("Your question").fill(question);
      await page.getByRole("button", { name: "Ask" }).click();
      await page.locator("#assistant-running").waitFor(WAIT);
      answerId = await page.getAttribute(
        "#assistant-running",
        "data-answer-id",
      );
      assert.equal(await liveText(page), "");
      await step(5);
      await showsWords(page, words, 5);
      assert.equal(
        await page.getAttribute("#assistant-live", "aria-busy"),
        "true",
      );
      await step(3);
      await showsWords(page, words, 8);
    });

    await t.step(
      "a reload mid-answer shows what was written and goes on",
      async () => {
        await page.reload();
        // Rendered by the server as far as it got: nothing was released meanwhile.
        assert.equal(await liveText(page), words.slice(0, 8).join(" "));
        await page.locator('[data-status="open"]').first().waitFor(WAIT);
        await step(4);
        await showsWords(page, words, 12);
      },
    );

    await t.step(
      "a second tab mid-answer shows the same and follows",
      async () => {
        await open(second, app.url);
        assert.equal(await liveText(second), words.slice(0, 12).join(" "));
        await step(4);
        await showsWords(page, words, 16);
        await showsWords(second, words, 16);
      },
    );

    await t.step(
      "the finished answer is stored and listed in both tabs",
      async () => {
        await step(1000);
        for (const p of [page, second]) {
          await p.locator(`#assistant-answers li[data-answer-id="${answerId}"]`)
            .waitFor(WAIT);
          await p.locator("#assistant-running").waitFor({
            state: "detached",
            ...WAIT,
          });
          assert.deepEqual(await listed(p), [
            { id: answerId, text: words.join(" "), stopped: false },
          ]);
        }
      },
    );

    const other = "Do cats eat bats?";
    await t.step("stop ends the answer where it was", async () => {
      await page.getByLabel("Your question").fill(other);
      await page.getByRole("button", { name: "Ask" }).click();
      await page.locator("#assistant-running").waitFor(WAIT);
      await step(3);
      await showsWords(page, answerTo(other), 3);
      await page.getByRole("button", { name: "Stop answering" }).click();
      await eventually(
        async () => (await listed(page)).length === 2,
        "the stopped answer listed",
      );
      const stopped = (await listed(page))[1];
      assert.equal(stopped.text, answerTo(other).slice(0, 3).join(" "));
      assert.equal(stopped.stopped, true);
      await eventually(
        async () => (await listed(second)).length === 2,
        "the stopped answer in the second tab",
      );
    });

    await t.step(
      "regenerate writes another answer to the same question",
      async () => {
        await page.getByRole("button", { name: "Regenerate answer" }).click();
        await page.locator("#assistant-running").waitFor(WAIT);
        const again = answerTo(other, 1);
        assert.notDeepEqual(again, answerTo(other));
        await step(2);
        await showsWords(page, again, 2);
        await step(1000);
        await eventually(
          async () => (await listed(page)).length === 3,
          "the regenerated answer listed",
        );
        assert.deepEqual((await listed(page))[2].text, again.join(" "));
      },
    );

    await t.step("a later visit lists the earlier answers", async () => {
      await open(page, app.url);
      assert.deepEqual((await listed(page)).map((a) => a.text), [
        words.join(" "),
        answerTo(other).slice(0, 3).join(" "),
        answerTo(other, 1).join(" "),
      ]);
      assert.equal(await page.locator("#assistant-running").count(), 0);
    });

    await t.step("nothing overflows sideways at 375 px", async () => {
      await page.setViewportSize({ width: 375, height: 740 });
      await assertNoHorizontalOverflow(page);
    });
  },
  {
    app: {
      env: {
        HERALD_ASSISTANT_STEP: "on",
        HERALD_ASSISTANT_MAX_TOKENS: String(MAX_TOKENS),
      },
    },
  },
);

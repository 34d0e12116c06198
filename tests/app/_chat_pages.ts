/**
 * A chat room page as the browser tests drive it: enter, join, read the
 * member list.
 *
 * @module
 */
import type { Browser, Page } from "playwright-core";
import { WAIT } from "../_support/browser.ts";
import { eventually } from "../_support/app.ts";

/** A page in a browser context of its own: a session of its own. */
export async function openPage(browser: Browser): Promise<Page> {
  return await (await browser.newContext()).newPage();
}

/** Opens the room; resolves once the island is hydrated and the stream open. */
export async function enterRoom(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.locator('[data-status="open"]').first().waitFor(WAIT);
  await page.locator("#chat-username:enabled, #chat-text").first().waitFor(
    WAIT,
  );
}

export async function join(page: Page, name: string): Promise<void> {
  await page.fill("#chat-username", name);
  await page.click('button:has-text("Join")');
}

/** The names in the member list, in its order. */
export const members = (page: Page): Promise<(string | null)[]> =>
  page.locator("#chat-members [data-member]").evaluateAll((els) =>
    els.map((el) => el.getAttribute("data-member"))
  );

export async function membersAre(page: Page, expected: string[]) {
  await eventually(
    async () =>
      JSON.stringify(await members(page)) === JSON.stringify(expected),
    `members ${expected.join(", ")} (have ${await members(page)})`,
  );
}

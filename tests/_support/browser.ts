/**
 * `browserTest`: one Deno test in Chromium. It launches Debian's Chromium,
 * starts the app (startApp) unless told not to, opens a page, and closes all
 * of it however the test ends; without Chromium it skips visibly (and fails
 * under `CI=true`).
 *
 * @example
 * ```ts
 * browserTest("the page says hello", async ({ app, page }) => {
 *   await page.goto(app.url + "/");
 *   await page.getByText("hello").waitFor(WAIT);
 * }, { app: { env: { HERALD_BROKER: "memory" } } });
 * ```
 * @module
 */
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { launchChromium, requireChromium } from "./chromium.ts";
import { type AppOptions, type RunningApp, startApp } from "./app.ts";
import { WAIT_MS } from "./wait.ts";

/** The hang guard of every browser wait (`locator.waitFor(WAIT)`); never a timing assertion. */
export const WAIT = { timeout: WAIT_MS } as const;

export interface BrowserTestContext {
  browser: Browser;
  /** A page in a browser context of its own (opened with `options.context`). */
  page: Page;
  t: Deno.TestContext;
}

export interface AppBrowserTestContext extends BrowserTestContext {
  app: RunningApp;
}

export interface BrowserTestOptions {
  /** How the app starts (env, entry); `false`: the test starts its own server. */
  app?: AppOptions | false;
  /** Options of the context `page` opens in (viewport, JavaScript off, …). */
  context?: BrowserContextOptions;
}

let chromium: boolean | undefined;

/** Registers a Chromium test that gets the running app. */
export function browserTest(
  name: string,
  fn: (ctx: AppBrowserTestContext) => Promise<void>,
  options?: BrowserTestOptions & { app?: AppOptions },
): void;
/** Registers a Chromium test that starts its own server (`app: false`). */
export function browserTest(
  name: string,
  fn: (ctx: BrowserTestContext) => Promise<void>,
  options: BrowserTestOptions & { app: false },
): void;
export function browserTest(
  name: string,
  fn: (ctx: AppBrowserTestContext) => Promise<void>,
  options: BrowserTestOptions = {},
): void {
  chromium ??= requireChromium();
  Deno.test({
    name,
    ignore: !chromium,
    fn: async (t) => {
      await using app = options.app === false
        ? null
        : await startApp(options.app);
      const browser = await launchChromium();
      try {
        const page = await (await browser.newContext(options.context))
          .newPage();
        // With `app: false` there is none, and the overload's context has no `app`.
        await fn({ app: app!, browser, page, t });
      } finally {
        await browser.close();
      }
    },
  });
}

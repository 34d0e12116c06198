/**
 * axe-core on every page in Chromium, at a 1280 px desktop and a 375 px phone:
 * no serious or critical violation anywhere (the failure lists each one with
 * the elements it found). A new page is one line in `PAGES`.
 *
 * @module
 */
import type { Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import { PHONE_VIEWPORT } from "../_support/app.ts";

const ADMIN = "a11y-admin-token-0123456789abcdef";
const ROOM = "a11y-room";

interface PageCheck {
  path: string;
  /** What the step is called when `path` alone does not say; default `path`. */
  name?: string;
  /** What shows the page is ready (hydrated, stream open); default the live badge. */
  ready?: string;
  /** Runs after load, before axe (sign in, open a toast, …). */
  prepare?: (page: Page, url: string) => Promise<void>;
}

const LIVE = '[data-status="open"]';

const PAGES: PageCheck[] = [
  { path: "/" },
  { path: "/", name: "/ with a toast of each kind", prepare: showToasts },
  { path: "/chat" },
  { path: `/chat/${ROOM}` },
  { path: "/chat/no-such-room", ready: "main h1" },
  { path: "/flights" },
  { path: "/assistant" },
  {
    path: "/assistant",
    name: "/assistant mid-answer",
    prepare: askQuestion,
  },
  { path: "/logs" },
  { path: "/clock", ready: "[data-status]" },
  { path: "/about", ready: "main h1" },
  { path: "/admin", ready: "main h1" },
  {
    path: "/admin",
    name: "/admin signed in",
    ready: '[data-chart="streams"]',
    prepare: signIn,
  },
  { path: "/no/such/page", ready: "main h1" },
];

const VIEWPORTS = [
  { width: 1280, height: 800 },
  PHONE_VIEWPORT,
];

/** A toast of every kind, each naming its kind, on the page. */
async function showToasts(page: Page, url: string) {
  for (const kind of ["info", "success", "warning", "error"]) {
    const res = await fetch(`${url}/api/channels/notifications/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: { message: `A ${kind} toast`, kind } }),
    });
    await res.body?.cancel();
  }
  await page.locator('[data-toast="error"]').waitFor(WAIT);
}

/** A question asked and its answer three words in (tokens released by hand). */
async function askQuestion(page: Page, url: string) {
  await page.locator(LIVE).first().waitFor(WAIT);
  await page.getByLabel("Your question").fill("Where is the rabbit?");
  await page.getByRole("button", { name: "Ask" }).click();
  await page.locator("#assistant-running").waitFor(WAIT);
  const res = await fetch(`${url}/assistant/step`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tokens: 3 }),
  });
  await res.body?.cancel();
  await page.locator('#assistant-running[data-tokens="3"]').waitFor(WAIT);
}

async function signIn(page: Page) {
  await page.getByLabel("Admin token").fill(ADMIN);
  await page.getByRole("button", { name: "Sign in" }).click();
}

interface AxeResult {
  violations: {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: unknown[]; failureSummary?: string }[];
  }[];
}

const axeSource = await Deno.readTextFile(
  new URL("../../node_modules/axe-core/axe.min.js", import.meta.url),
);

async function seriousViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() =>
    (globalThis as unknown as {
      axe: { run: (c: unknown) => Promise<unknown> };
    }).axe.run(document)
  ) as AxeResult;
  return result.violations.filter((v) =>
    v.impact === "serious" || v.impact === "critical"
  );
}

browserTest(
  "axe-core finds no serious violation on any page at 1280 and 375 px",
  async ({ app, browser, t }) => {
    const created = await fetch(`${app.url}/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ room: ROOM }),
    });
    await created.body?.cancel();
    if (created.status !== 201) {
      throw new Error(`creating the room answered ${created.status}`);
    }
    const failures: string[] = [];
    for (const viewport of VIEWPORTS) {
      for (const check of PAGES) {
        const name = `${check.name ?? check.path} at ${viewport.width} px`;
        await t.step(name, async () => {
          const context = await browser.newContext({ viewport });
          try {
            const page = await context.newPage();
            await page.goto(app.url + check.path);
            await check.prepare?.(page, app.url);
            await page.locator(check.ready ?? LIVE).first().waitFor(WAIT);
            const found = await seriousViolations(page);
            for (const v of found) {
              failures.push(
                `${name}: ${v.id} (${v.impact}) ${v.help}\n` +
                  v.nodes.map((n) =>
                    `    ${JSON.stringify(n.target)}: ${n.failureSummary}`
                  ).join("\n"),
              );
            }
          } finally {
            await context.close();
          }
        });
      }
    }
    if (failures.length > 0) {
      throw new Error(`axe-core violations:\n${failures.join("\n")}`);
    }
  },
  {
    app: {
      env: {
        HERALD_ADMIN_TOKEN: ADMIN,
        // Long enough that the toasts are still up when axe looks at them.
        HERALD_TOAST_MS: "600000",
        // The assistant's answers go only as far as the test releases them.
        HERALD_ASSISTANT_STEP: "on",
      },
    },
  },
);

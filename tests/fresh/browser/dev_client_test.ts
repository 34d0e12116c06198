/**
 * The dev client (`/_frsh/refresh.js`) in Chromium against the fixture app's
 * dev server: one live-reload WebSocket per tab (so many tabs fit in HTTP/1.1's
 * six connections per host), quiet reconnects while the server is down, a
 * reload once it is back, and the error overlay for a throwing route or island.
 */
import assert from "node:assert/strict";
import type { BrowserContext, Page } from "playwright-core";
import { browserTest, WAIT } from "../../_support/browser.ts";
import {
  freePort,
  type RunningServer,
  startServer,
} from "../../_support/server.ts";
import { waitFor } from "../../_support/wait.ts";
import { copyFixture, type TempApp } from "../build/temp_app.ts";

/** The dev server bundles on the first request: twice the usual guard. */
const TIMEOUT = 2 * WAIT.timeout;
const ALIVE = "/_frsh/alive";

function startDev(app: TempApp, port?: number): Promise<RunningServer> {
  return startServer({
    entry: "dev.ts",
    cwd: app.root,
    port,
    readyPath: "/about",
  });
}

/** What one tab did with `/_frsh/alive`. */
interface AliveWatch {
  /** WebSockets the tab opened to it. */
  sockets: number;
  /** Revisions received over them. */
  revisions: string[];
  /** Plain HTTP requests to it (the old SSE stream). */
  httpRequests: number;
}

async function openTab(
  context: BrowserContext,
  url: string,
): Promise<{ page: Page; alive: AliveWatch }> {
  const page = await context.newPage();
  page.setDefaultTimeout(TIMEOUT);
  const alive: AliveWatch = { sockets: 0, revisions: [], httpRequests: 0 };
  page.on("websocket", (ws) => {
    if (!ws.url().endsWith(ALIVE)) return;
    alive.sockets++;
    ws.on("framereceived", (f) => alive.revisions.push(String(f.payload)));
  });
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === ALIVE) alive.httpRequests++;
  });
  await page.goto(url);
  return { page, alive };
}

browserTest(
  "browser (dev): eight tabs all load, each with one live-reload WebSocket and no /_frsh/alive HTTP stream",
  async ({ browser }) => {
    await using app = await copyFixture();
    await using server = await startDev(app);
    const context = await browser.newContext();
    const paths = ["/", "/about", "/", "/about", "/", "/about", "/", "/about"];
    const tabs = [];
    // One after the other: with a stream per tab the seventh would never load.
    for (const path of paths) {
      tabs.push(await openTab(context, server.url + path));
    }

    for (const [i, { page, alive }] of tabs.entries()) {
      await waitFor(
        () => alive.revisions.length > 0,
        `tab ${i} (${paths[i]}) to receive the server's revision`,
        TIMEOUT,
      );
      assert.equal(alive.sockets, 1, `tab ${i}: live-reload sockets`);
      assert.equal(
        alive.httpRequests,
        0,
        `tab ${i}: HTTP requests to ${ALIVE}`,
      );
      await page.locator("h1").first().waitFor();
    }
    // Every tab shares one revision, and the last /about and / tabs work.
    assert.equal(new Set(tabs.map((t) => t.alive.revisions[0])).size, 1);
    assert.equal(await tabs[7].page.textContent("h1"), "About");
    const home = tabs[6].page;
    await home.waitForFunction(() =>
      document.querySelector("#counter-value")?.textContent === "3"
    );
    await home.click("#inc");
    await home.waitForFunction(() =>
      document.querySelector("#counter-value")?.textContent === "4"
    );
  },
  { app: false },
);

browserTest(
  "browser (dev): a restart reloads the open tabs; while the server is down they log only a few reconnect errors",
  async ({ browser }) => {
    await using app = await copyFixture();
    const port = freePort();
    let server = await startDev(app, port);
    try {
      const context = await browser.newContext();
      const tabs = [
        await openTab(context, server.url + "/"),
        await openTab(context, server.url + "/about"),
      ];
      const errors = tabs.map(() => [] as string[]);
      for (const [i, { page, alive }] of tabs.entries()) {
        await waitFor(() => alive.revisions.length > 0, "a revision", TIMEOUT);
        page.on("console", (m) => {
          if (m.type() === "error") errors[i].push(m.text());
        });
        // Gone after a reload.
        await page.evaluate(() => {
          (globalThis as Record<string, unknown>).beforeRestart = true;
        });
      }

      const downSince = Date.now();
      await server.stop();
      // The server closed the tabs' sockets itself: nothing held the shutdown.
      assert.ok(
        !server.output().includes("still busy"),
        "the shutdown waited for open sockets:\n" + server.output(),
      );
      // Down long enough that a loop of 4 attempts a second would have
      // logged a dozen errors per tab, and every tab has tried a few times.
      await waitFor(
        () =>
          Date.now() - downSince >= 3_000 && errors.every((e) => e.length >= 2),
        "every tab to retry while the server is down",
        TIMEOUT,
      );
      server = await startDev(app, port);
      const downMs = Date.now() - downSince;
      const counted = errors.map((e) => e.length);

      for (const [i, { page }] of tabs.entries()) {
        await waitFor(
          async () => {
            try {
              return await page.evaluate(() =>
                !(globalThis as Record<string, unknown>).beforeRestart &&
                document.readyState === "complete"
              );
            } catch {
              return false; // navigating
            }
          },
          `tab ${i} to reload after the restart`,
          TIMEOUT,
        );
      }
      await tabs[1].page.locator("h1").waitFor();
      assert.equal(await tabs[1].page.textContent("h1"), "About");

      // The documented backoff (250 ms doubling to 5 s, each delay jittered
      // to 50-100 %) starts at most 5 attempts in the first 3.9 s and one per
      // 2.5 s after; a loop of 4 a second would log 4 per second down.
      const bound = 5 + Math.max(0, downMs - 3_875) / 2_500;
      for (const [i, n] of counted.entries()) {
        assert.ok(
          n <= bound,
          `tab ${i}: ${n} console errors in ${downMs} ms down (bound ${
            bound.toFixed(1)
          }, a 4/s loop: ${Math.floor((4 * downMs) / 1000)}):\n${
            errors[i].join("\n")
          }`,
        );
        assert.ok(
          errors[i].every((e) => e.includes("WebSocket")),
          `tab ${i}: only the browser's WebSocket failures:\n${
            errors[i].join("\n")
          }`,
        );
      }
    } finally {
      await server.stop();
    }
  },
  { app: false },
);

/** An island that throws once it runs in the browser (never on the server). */
const BROKEN_ISLAND = `export default function Broken() {
  if (typeof document !== "undefined") throw new Error("island <b>exploded</b> in the browser");
  return <p id="broken">server-rendered</p>;
}
`;

/** An island that renders until clicked, then throws in render. */
const FUSE_ISLAND = `import { useState } from "preact/hooks";

export default function Fuse() {
  const [lit, setLit] = useState(false);
  if (lit) throw new Error("fuse blew");
  return <button type="button" id="fuse" onClick={() => setLit(true)}>light</button>;
}
`;

const ISLAND_ROUTES = {
  "routes/island_broken.tsx": `import Broken from "../islands/Broken.tsx";

export default function Page() {
  return <main><h1>Broken island</h1><Broken /></main>;
}
`,
  "routes/island_fuse.tsx": `import Fuse from "../islands/Fuse.tsx";

export default function Page() {
  return <main><h1>Fuse island</h1><Fuse /></main>;
}
`,
};

browserTest(
  "browser (dev): a throwing route and a throwing island show the error overlay",
  async ({ page, t }) => {
    await using app = await copyFixture();
    await app.write("islands/Broken.tsx", BROKEN_ISLAND);
    await app.write("islands/Fuse.tsx", FUSE_ISLAND);
    for (const [path, text] of Object.entries(ISLAND_ROUTES)) {
      await app.write(path, text);
    }
    await using server = await startDev(app);
    page.setDefaultTimeout(TIMEOUT);
    const overlay = page.frameLocator("#fresh-error-overlay");

    await t.step("a route: message, file and line, code, stack", async () => {
      const res = await page.goto(server.url + "/boom");
      assert.equal(res?.status(), 500);
      // The app's _500 page is underneath.
      assert.equal(
        await page.textContent("#server-error"),
        "Broken: page exploded",
      );
      assert.equal(
        await overlay.locator("#message").textContent(),
        "Error: page exploded",
      );
      assert.equal(
        await overlay.locator("#location").textContent(),
        "routes/boom.tsx:2:9",
      );
      assert.match(
        (await overlay.locator("#code-frame").textContent())!,
        />\s+2 \|\s+throw new Error\("page exploded"\);/,
      );
      assert.match(
        (await overlay.locator("#stack").textContent())!,
        /at .*routes\/boom\.tsx:2:9/,
      );
      await overlay.locator("#close").click();
      await page.locator("#fresh-error-overlay").waitFor({ state: "detached" });
    });

    await t.step(
      "an island during hydration: its name, the message escaped, the stack",
      async () => {
        await page.goto(server.url + "/island_broken");
        assert.equal(
          await overlay.locator("#title").textContent(),
          "Island broken failed",
        );
        assert.equal(
          await overlay.locator("#message").textContent(),
          "Error: island <b>exploded</b> in the browser",
        );
        assert.equal(await overlay.locator("#message b").count(), 0);
        assert.match(
          (await overlay.locator("#stack").textContent())!,
          /island-broken\.js/,
        );
      },
    );

    await t.step("an island rendering after a click", async () => {
      await page.goto(server.url + "/island_fuse");
      await page.click("#fuse");
      assert.equal(
        await overlay.locator("#title").textContent(),
        "Island fuse failed",
      );
      assert.equal(
        await overlay.locator("#message").textContent(),
        "Error: fuse blew",
      );
    });
  },
  { app: false },
);

/**
 * `deno task start` behaviour on a temp copy of the fixture app: the dev
 * server runs under `deno run --watch`; adding an island regenerates
 * fresh.gen.ts, and an open page reloads by itself with the new code.
 */
import assert from "node:assert/strict";
import { browserTest, WAIT } from "../../_support/browser.ts";
import { startServer, taskPermissions } from "../../_support/server.ts";
import { waitFor } from "../../_support/wait.ts";
import { copyFixture } from "../build/temp_app.ts";

/** A restart under `--watch` rebuilds everything: twice the usual guard. */
const TIMEOUT = 2 * WAIT.timeout;

const NEW_ISLAND = `import { useState } from "preact/hooks";

export default function Added() {
  const [n, setN] = useState(0);
  return <button type="button" id="added" onClick={() => setN(n + 1)}>added {n}</button>;
}
`;

const ABOUT_WITH_ISLAND = `import Added from "../islands/Added.tsx";

export default function About() {
  return <main><h1 id="about-title">About, edited</h1><Added /></main>;
}
`;

browserTest(
  "browser (dev --watch): a new island regenerates fresh.gen.ts and the open page reloads with it",
  async ({ page }) => {
    await using app = await copyFixture();
    // startServer runs `deno run {permissions} {entry} {args}`: the watch
    // flag goes first; the permissions are `deno task start`'s.
    await using server = await startServer({
      permissions: taskPermissions("start"),
      entry: "--watch=static/,routes/,islands/,components/",
      args: ["dev.ts"],
      cwd: app.root,
      readyPath: "/about",
    });
    page.setDefaultTimeout(TIMEOUT);
    await page.goto(server.url + "/about");
    assert.equal(await page.textContent("h1"), "About");
    const before = await app.read("fresh.gen.ts");
    assert.ok(!before.includes("Added"));

    await app.write("islands/Added.tsx", NEW_ISLAND);
    await app.write("routes/about.tsx", ABOUT_WITH_ISLAND);

    await waitFor(
      async () =>
        (await app.read("fresh.gen.ts")).includes(
          '"./islands/Added.tsx": $Added,',
        ),
      "fresh.gen.ts to list the new island",
      TIMEOUT,
    );
    // No page.reload(): the live-reload script does it after the restart.
    await page.waitForSelector("#about-title", { timeout: TIMEOUT });
    assert.equal(await page.textContent("#about-title"), "About, edited");
    await page.click("#added");
    await page.waitForFunction(() =>
      document.querySelector("#added")?.textContent === "added 1"
    );
  },
  { app: false },
);

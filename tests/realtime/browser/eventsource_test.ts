import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { browserTest } from "../../_support/browser.ts";
import { publishWhenUp, startHerald } from "../process/_servers.ts";

browserTest(
  "Chromium's EventSource receives published events, named events, with their ids",
  async ({ page }) => {
    await using server = await startHerald({ HERALD_BROKER: "memory" });
    await page.goto(`${server.url}/api/health`);
    await page.evaluate(() => {
      const w = globalThis as unknown as { got: string[]; es: EventSource };
      w.got = [];
      w.es = new EventSource("/api/channels/browser/events");
      const push = (e: MessageEvent) =>
        w.got.push(`${e.type}:${e.lastEventId}:${e.data}`);
      w.es.addEventListener("message", push);
      w.es.addEventListener("note", push);
      return new Promise((resolve) => w.es.onopen = resolve);
    });
    const first = await publishWhenUp(server.url, "browser", { n: 1 });
    const res = await fetch(`${server.url}/api/channels/browser/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: "note", data: "a\nb" }),
    });
    const second = (await res.json()).id;
    await page.waitForFunction(() =>
      (globalThis as unknown as { got: string[] }).got.length === 2
    );
    assertEquals(
      await page.evaluate(() =>
        (globalThis as unknown as { got: string[] }).got
      ),
      [`message:${first}:{"n":1}`, `note:${second}:"a\\nb"`],
    );
  },
  { app: false },
);

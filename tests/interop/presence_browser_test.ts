/**
 * Presence in Chromium: two browsers (two sessions) on one channel see each
 * other in `GET …/presence` and through `presence:{channel}` events; when one
 * closes, the other sees it leave.
 *
 * @module
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest } from "../_support/browser.ts";
import { waitFor } from "../_support/wait.ts";

interface Seen {
  events: { user: string; name?: string; action: string }[];
}

/**
 * Opens the session's stream on `room` and its presence channel, recording
 * presence events; answers the room's presence (JSON) once the stream is open.
 */
async function enterRoom(page: Page, url: string): Promise<string> {
  await page.goto(`${url}/chat`);
  return await page.evaluate(() => {
    const w = window as unknown as Seen;
    w.events = [];
    const source = new EventSource(
      "/api/events?channel=room&channel=presence:room",
    );
    source.addEventListener("presence", (e) => {
      w.events.push(JSON.parse((e as MessageEvent).data).data);
    });
    return new Promise<string>((resolve) => {
      source.onopen = async () => {
        const me = await fetch("/api/channels/room/presence").then((r) =>
          r.json()
        );
        resolve(JSON.stringify(me));
      };
    });
  });
}

const events = (page: Page) =>
  page.evaluate(() => [...(window as unknown as Seen).events]);

const members = (page: Page) =>
  page.evaluate(async () =>
    (await fetch("/api/channels/room/presence").then((r) => r.json()))
      .members as { user: string; name: string; connections: number }[]
  );

browserTest(
  "two browsers in one channel see each other, and one leaving",
  async ({ page, browser, app }) => {
    const alone = JSON.parse(await enterRoom(page, app.url)).members;
    assertEquals(alone.length, 1);
    const other = await (await browser.newContext()).newPage();
    await enterRoom(other, app.url);

    // Both sessions are listed, each once, by their display names, on both pages.
    const listed = await members(page);
    assertEquals(listed.length, 2);
    assertEquals(listed.every((m) => m.connections === 1 && m.name), true);
    assertEquals(await members(other), listed);
    const first = alone[0];
    const second = listed.find((m) => m.user !== first.user)!;

    // The first page saw the second join.
    await waitFor(
      async () =>
        (await events(page)).some((e) =>
          e.user === second.user && e.action === "join"
        ),
      "the first page to see the second join",
    );

    await other.context().close();
    await waitFor(
      async () =>
        (await events(page)).some((e) =>
          e.user === second.user && e.action === "leave" &&
          e.name === second.name
        ),
      "the first page to see the second leave",
    );
    assertEquals((await members(page)).map((m) => m.user), [first.user]);
  },
);

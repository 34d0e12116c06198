/**
 * Chat rooms in Chromium, against the app running as its own process (Deno
 * KV broker and store in a temp file): creating a room (and the inline 409),
 * two visitors in one room (live messages, a taken username refused, the
 * member list on join, leave and page close), history after a reload and
 * after a server restart, reading without JavaScript, the 404 page of an
 * unknown room, and a 375 px phone.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  enterRoom,
  join,
  members,
  membersAre,
  openPage,
} from "./_chat_pages.ts";
import { assertNoHorizontalOverflow } from "../_support/app.ts";

const messageLine = (page: Page, text: string) =>
  page.locator('#chat-log li[data-event="message"]', { hasText: text });

browserTest("chat rooms in Chromium", async ({ app, browser, t }) => {
  const room = `lobby-${crypto.randomUUID().slice(0, 6)}`;
  const roomUrl = `${app.url}/chat/${room}`;
  const ada = await openPage(browser);
  const bob = await openPage(browser);

  await t.step("a room is created from the list page", async () => {
    await ada.goto(app.url + "/chat");
    await ada.locator('[data-status="open"]').first().waitFor(WAIT);
    await ada.fill("#room-name", room.toUpperCase());
    await ada.click('button:has-text("Create room")');
    await ada.waitForURL(roomUrl, WAIT);
    // Bob's open list shows it live.
    await bob.goto(app.url + "/chat");
    await bob.locator(`[data-room="${room}"]`).waitFor(WAIT);
  });

  await t.step("creating an existing room is refused inline", async () => {
    await bob.locator('[data-status="open"]').first().waitFor(WAIT);
    await bob.fill("#room-name", room);
    await bob.click('button:has-text("Create room")');
    await bob.locator("#room-error", { hasText: "already exists" })
      .waitFor(WAIT);
    assert.equal(bob.url(), app.url + "/chat");
    const res = await fetch(app.url + "/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ room }),
    });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error.code, "room_exists");
  });

  await t.step(
    "a taken username is refused, what was typed stays; the member list updates on join",
    async () => {
      await enterRoom(ada, roomUrl);
      await join(ada, "Ada");
      await ada.locator("#chat-text").waitFor(WAIT);
      await membersAre(ada, ["Ada"]);

      await enterRoom(bob, roomUrl);
      await join(bob, "ada");
      await bob.locator("#chat-join-error", { hasText: "taken" }).waitFor(
        WAIT,
      );
      assert.equal(await bob.locator("#chat-text").count(), 0);
      // The refused name stays in the field, to be corrected.
      assert.equal(await bob.inputValue("#chat-username"), "ada");
      // A name being typed survives a message arriving meanwhile.
      await bob.fill("#chat-username", "Bob");
      await ada.fill("#chat-text", "while Bob types");
      await ada.press("#chat-text", "Enter");
      await messageLine(bob, "while Bob types").waitFor(WAIT);
      assert.equal(await bob.inputValue("#chat-username"), "Bob");
      await bob.click('button:has-text("Join")');
      await bob.locator("#chat-text").waitFor(WAIT);
      await membersAre(ada, ["Ada", "Bob"]);
      await membersAre(bob, ["Ada", "Bob"]);
    },
  );

  await t.step(
    "a message sent in one page appears in the other",
    async () => {
      await ada.fill("#chat-text", "hello from Ada");
      await ada.press("#chat-text", "Enter");
      await messageLine(bob, "hello from Ada").waitFor(WAIT);
      await bob.fill("#chat-text", "hi Ada, Bob here");
      await bob.click('button:has-text("Send")');
      await messageLine(ada, "hi Ada, Bob here").waitFor(WAIT);
      assert.equal(await ada.inputValue("#chat-text"), "");
    },
  );

  await t.step(
    "leaving, and closing the page, update the member list",
    async () => {
      await bob.click('button:has-text("Leave")');
      await membersAre(ada, ["Ada"]);
      await join(bob, "Bob");
      await membersAre(ada, ["Ada", "Bob"]);
      // Bob's page goes away: his last stream closes, and after the
      // presence grace he leaves.
      await bob.goto("about:blank");
      await membersAre(ada, ["Ada"]);
      await ada.locator("#chat-log li", { hasText: "Bob left" }).first()
        .waitFor(WAIT);
    },
  );

  await t.step(
    "history and membership are there after a reload",
    async () => {
      await ada.reload();
      await messageLine(ada, "hello from Ada").waitFor(WAIT);
      await messageLine(ada, "hi Ada, Bob here").waitFor(WAIT);
      // The tab re-joined under its name.
      await ada.locator("#chat-text").waitFor(WAIT);
      await membersAre(ada, ["Ada"]);
    },
  );

  await t.step("history is there after a server restart", async () => {
    await app.restart();
    await enterRoom(ada, roomUrl);
    await messageLine(ada, "hello from Ada").waitFor(WAIT);
    await messageLine(ada, "hi Ada, Bob here").waitFor(WAIT);
    await ada.locator("#chat-text").waitFor(WAIT);
    await ada.fill("#chat-text", "after the restart");
    await ada.press("#chat-text", "Enter");
    await messageLine(ada, "after the restart").waitFor(WAIT);
    // Each message once.
    assert.equal(await messageLine(ada, "hello from Ada").count(), 1);
  });

  await t.step("the room reads without JavaScript", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(roomUrl);
    assert.equal(await messageLine(page, "hello from Ada").count(), 1);
    assert.equal(await messageLine(page, "after the restart").count(), 1);
    assert.deepEqual(await members(page), ["Ada"]);
    await page.goto(app.url + "/chat");
    assert.equal(await page.locator(`[data-room="${room}"]`).count(), 1);
    // The create form posts without JavaScript too (303 to the room; 409 inline).
    await page.fill("#room-name", room);
    await page.click('button:has-text("Create room")');
    await page.locator("#room-error", { hasText: "already exists" })
      .waitFor(WAIT);
    await context.close();
  });

  await t.step(
    "an unknown room is a 404 page that says so and leads back to the rooms",
    async () => {
      for (const name of ["no-such-room", "Not_A_Room!"]) {
        const res = await fetch(`${app.url}/chat/${name}`);
        await res.body?.cancel();
        assert.equal(res.status, 404);
      }
      const page = await openPage(browser);
      const answer = await page.goto(`${app.url}/chat/no-such-room`);
      assert.equal(answer?.status(), 404);
      await page.locator("h1", { hasText: "No such room" }).waitFor(WAIT);
      await page.locator("#room-missing", { hasText: "#no-such-room" })
        .waitFor(WAIT);
      await page.click('a:has-text("All rooms")');
      await page.waitForURL(`${app.url}/chat`, WAIT);
      await page.locator("#room-name").waitFor(WAIT);
      await page.context().close();
    },
  );

  await t.step("nothing overflows sideways at 375 px", async () => {
    const context = await browser.newContext({
      viewport: { width: 375, height: 740 },
    });
    const page = await context.newPage();
    await enterRoom(page, roomUrl);
    await assertNoHorizontalOverflow(page);
    await page.goto(app.url + "/chat");
    await assertNoHorizontalOverflow(page);
    await context.close();
  });
});

/**
 * Chat membership from presence in Chromium, against the app as its own
 * process: two sessions in a room see each other and one closing its browser
 * disappears; one session's reload, second tab and second window are one
 * member (no left/joined lines, the same name accepted, listed once with
 * its connections), and another session cannot take that name.
 *
 * @module
 */
import assert from "node:assert/strict";
import { browserTest, WAIT } from "../_support/browser.ts";
import {
  enterRoom,
  join,
  members,
  membersAre,
  openPage,
} from "./_chat_pages.ts";
import { eventually } from "../_support/app.ts";
import { createRoom } from "./_hostile_data.ts";

async function newRoom(url: string): Promise<string> {
  const room = `room-${crypto.randomUUID().slice(0, 8)}`;
  await createRoom(url, room);
  return room;
}

/** The room's stored joins and leaves, as everyone's history shows them. */
async function joinsAndLeaves(url: string, room: string): Promise<string[]> {
  const state = await (await fetch(`${url}/chat/${room}/state`)).json();
  return (state.lines as { event: string; user: string }[])
    .filter((l) => l.event !== "message").map((l) => `${l.event} ${l.user}`);
}

/** `GET …/presence` of the room's channel: [user, connections] per user. */
async function presence(url: string, room: string) {
  const res = await fetch(`${url}/api/channels/chat:${room}/presence`);
  const body = await res.json();
  return (body.members as { user: string; connections: number }[])
    .map((m) => [m.user, m.connections]);
}

browserTest(
  "two sessions in a room see each other from presence; one closing its browser leaves",
  async ({ app, browser, page: ada }) => {
    const room = await newRoom(app.url);
    const roomUrl = `${app.url}/chat/${room}`;
    await enterRoom(ada, roomUrl);
    await join(ada, "Ada");
    await ada.locator("#chat-text").waitFor(WAIT);

    const bob = await openPage(browser);
    await enterRoom(bob, roomUrl);
    // Bob watches without a name: present, not a member.
    await eventually(
      async () => (await presence(app.url, room)).length === 2,
      "both sessions present",
    );
    assert.deepEqual(await members(bob), ["Ada"]);
    await join(bob, "Bob");
    await membersAre(ada, ["Ada", "Bob"]);
    await membersAre(bob, ["Ada", "Bob"]);
    assert.equal(
      await bob.locator('#chat-members [data-member="Bob"]').textContent(),
      "Bob(you)",
    );

    await bob.context().close();
    await membersAre(ada, ["Ada"]);
    await ada.locator("#chat-log li", { hasText: "Bob left" }).waitFor(WAIT);
    assert.deepEqual(await joinsAndLeaves(app.url, room), [
      "join Ada",
      "join Bob",
      "leave Bob",
    ]);
    // Bob's name is free for another session now.
    const cy = await openPage(browser);
    await enterRoom(cy, roomUrl);
    await join(cy, "bob");
    await membersAre(ada, ["Ada", "bob"]);
    await cy.context().close();
  },
  // The leave comes after this grace; nothing here depends on its length.
  { app: { env: { HERALD_PRESENCE_GRACE_MS: "1000" } } },
);

browserTest(
  "a reload, a second tab and a second window of one session are one member",
  async ({ app, browser, page: tab }) => {
    const room = await newRoom(app.url);
    const roomUrl = `${app.url}/chat/${room}`;
    await enterRoom(tab, roomUrl);
    await join(tab, "Ada");
    await tab.locator("#chat-text").waitFor(WAIT);

    await tab.reload();
    // Still a member, without joining again.
    await tab.locator("#chat-text").waitFor(WAIT);
    await membersAre(tab, ["Ada"]);

    // A second tab of the session is the same member at once.
    const second = await tab.context().newPage();
    await enterRoom(second, roomUrl);
    await second.locator("#chat-text").waitFor(WAIT);
    await membersAre(second, ["Ada"]);
    assert.equal(await second.locator("#chat-members li").count(), 1);

    // A second window with the session's cookie (its own connection: tabs
    // of one browser share one) is listed once, with both connections.
    const window = await (await browser.newContext({
      storageState: await tab.context().storageState(),
    })).newPage();
    await enterRoom(window, roomUrl);
    await window.locator("#chat-text").waitFor(WAIT);
    await eventually(
      async () => {
        const present = await presence(app.url, room);
        return present.length === 1 && present[0][1] === 2;
      },
      `Ada once with 2 connections (have ${
        JSON.stringify(await presence(app.url, room))
      })`,
    );
    const state = await (await fetch(`${roomUrl}/state`)).json();
    assert.deepEqual(
      state.members.map((m: { name: string; connections: number }) => [
        m.name,
        m.connections,
      ]),
      [["Ada", 2]],
    );
    // The same name (any case) is accepted for the same session.
    const again = await window.evaluate(async (url) => {
      const res = await fetch(`${url}/join`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ada" }),
      });
      return [res.status, (await res.json()).username];
    }, roomUrl);
    assert.deepEqual(again, [201, "Ada"]);
    // Nobody saw Ada leave or join again.
    assert.deepEqual(await joinsAndLeaves(app.url, room), ["join Ada"]);

    // Another session cannot take the name, nor a look-alike.
    const eve = await openPage(browser);
    await enterRoom(eve, roomUrl);
    await join(eve, "ADA");
    await eve.locator("#chat-join-error", { hasText: "taken" }).waitFor(WAIT);
    assert.equal(await eve.locator("#chat-text").count(), 0);
    await membersAre(eve, ["Ada"]);

    // Leaving in one tab leaves in all of the session's pages.
    await second.click('button:has-text("Leave")');
    await tab.locator("#chat-username").waitFor(WAIT);
    await window.locator("#chat-username").waitFor(WAIT);
    await membersAre(eve, []);
    assert.deepEqual(await joinsAndLeaves(app.url, room), [
      "join Ada",
      "leave Ada",
    ]);
    await window.context().close();
    await eve.context().close();
  },
  // Longer than any reload here takes, however loaded the machine.
  { app: { env: { HERALD_PRESENCE_GRACE_MS: "600000" } } },
);

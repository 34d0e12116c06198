/**
 * One policy everywhere, against a real Herald process: the app's own routes
 * (chat, flights) follow the API's credential rules in token mode, every
 * publish path (chat messages, room creation, notifications, flights
 * controls) is rate limited, and one address holds at most
 * `HERALD_MAX_CHANNELS_PER_IP` distinct channels across its open streams.
 */
import assert from "node:assert/strict";
import { sessionCookie, startApp } from "../_support/app.ts";
import { hsToken, SECRET } from "./_tokens.ts";

function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

async function expectJsonError(
  res: Response,
  status: number,
  what: string,
): Promise<{ code: string; message: string }> {
  if (res.status !== status) {
    // Maybe an open event stream: never read it to its end.
    await res.body?.cancel();
    assert.fail(`${what}: expected ${status}, got ${res.status}`);
  }
  const text = await res.text();
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const { error } = JSON.parse(text);
  assert.equal(typeof error.code, "string", what);
  assert.ok(error.message.length > 0, what);
  return error;
}

Deno.test("token mode: app routes refuse a caller with no cookie and no token, as the API does", async () => {
  await using app = await startApp({
    env: { HERALD_JWT_SECRET: SECRET, HERALD_FLIGHTS_SIMULATOR: "off" },
  });
  const url = app.url;

  // The API's answer for the same channel, the reference.
  const api = await postJson(`${url}/api/channels/chat:lobby/messages`, {
    data: { text: "hi" },
  });
  await expectJsonError(api, 401, "API publish without credentials");

  const cookie = { cookie: await sessionCookie(url) };
  const created = await postJson(`${url}/chat`, { room: "lobby" }, cookie);
  assert.equal(created.status, 201, await created.text());
  const joined = await postJson(`${url}/chat/lobby/join`, {
    username: "Ada",
  }, cookie);
  assert.equal(joined.status, 201, await joined.text());

  const anonymous = [
    ["/chat", { room: "other" }],
    ["/chat/lobby/join", { username: "Eve" }],
    ["/chat/lobby/messages", { text: "hi" }],
    ["/chat/lobby/leave", {}],
    ["/flights/pause", { paused: true }],
  ] as const;
  for (const [path, body] of anonymous) {
    const res = await postJson(url + path, body);
    const error = await expectJsonError(res, 401, `POST ${path} anonymous`);
    assert.equal(error.code, "unauthorized", path);
    assert.equal(res.headers.get("www-authenticate"), "Bearer", path);
  }
  // A plain HTML form without the cookie is refused the same way.
  const form = await fetch(`${url}/chat`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "room=formroom",
    redirect: "manual",
  });
  assert.equal(form.status, 401, await form.text());
  const rooms = await (await fetch(`${url}/chat`, {
    headers: { accept: "text/html" },
  })).text();
  assert.ok(!rooms.includes("formroom"), "no room was created");
  assert.ok(!rooms.includes("other"), "no room was created");

  // With the page's session the same requests work (HERALD_SESSION_PUBLISH).
  const paused = await postJson(`${url}/flights/pause`, { paused: true }, {
    ...cookie,
    accept: "application/json",
  });
  assert.equal(paused.status, 200, await paused.text());
});

Deno.test("every publish path is rate limited per address, with Retry-After", async () => {
  await using app = await startApp({
    env: {
      HERALD_FLIGHTS_SIMULATOR: "off",
      HERALD_PUBLISH_RATE_IP: "0.01",
      HERALD_PUBLISH_BURST_IP: "8",
      HERALD_ROOM_CREATE_RATE: "0.01",
      HERALD_ROOM_CREATE_BURST: "2",
    },
  });
  const url = app.url;
  const cookie = { cookie: await sessionCookie(url) };

  // Room creation has its own, smaller allowance.
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await postJson(`${url}/chat`, { room: `room-${i}` }, cookie);
    statuses.push(res.status);
    if (res.status === 429) {
      await expectJsonError(res, 429, "room creation");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [201, 201, 429, 429]);

  const joined = await (await postJson(`${url}/chat/room-0/join`, {
    username: "Ada",
  }, cookie)).json();
  assert.equal(joined.username, "Ada", JSON.stringify(joined));
  // Chat messages: the per-address publish allowance (burst 8, of which the
  // two rooms and the join took three).
  const sent: number[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await postJson(`${url}/chat/room-0/messages`, {
      text: `message ${i}`,
    }, cookie);
    sent.push(res.status);
    if (res.status === 429) {
      const error = await expectJsonError(res, 429, "chat message");
      assert.equal(error.code, "too_many_requests");
      assert.ok(Number(res.headers.get("retry-after")) >= 1);
    } else await res.body?.cancel();
  }
  assert.equal(sent.filter((s) => s === 201).length, 5, sent.join(","));
  assert.equal(sent.filter((s) => s === 429).length, 5, sent.join(","));

  // The allowance is shared: notifications and flights controls are refused now too.
  const note = await postJson(`${url}/notifications`, {
    message: "hello",
    kind: "info",
    to: "everyone",
  }, cookie);
  await expectJsonError(note, 429, "notification");
  const pause = await postJson(`${url}/flights/pause`, { paused: true }, {
    ...cookie,
    accept: "application/json",
  });
  await expectJsonError(pause, 429, "flights pause");
  const step = await postJson(`${url}/flights/step`, {}, cookie);
  assert.ok([404, 429].includes(step.status), `step: ${step.status}`);
  await step.body?.cancel();
});

Deno.test("one address holds at most HERALD_MAX_CHANNELS_PER_IP distinct channels across its streams", async () => {
  await using app = await startApp({
    env: { HERALD_BROKER: "memory", HERALD_MAX_CHANNELS_PER_IP: "5" },
  });
  const url = app.url;
  const open = (channels: string[]) =>
    fetch(`${url}/api/events?channel=${channels.join(",")}`);

  const first = await open(["a", "b", "c"]);
  assert.equal(first.status, 200);
  // Channels already held cost nothing more.
  const again = await open(["a", "b"]);
  assert.equal(again.status, 200);
  const single = await fetch(`${url}/api/channels/c/events`);
  assert.equal(single.status, 200);
  // Two new ones fit (5), a third does not.
  const more = await open(["d", "e"]);
  assert.equal(more.status, 200);
  const over = await open(["a", "f"]);
  const error = await expectJsonError(over, 429, "sixth channel");
  assert.equal(error.code, "too_many_channels");
  assert.match(error.message, /5/);
  assert.ok(Number(over.headers.get("retry-after")) >= 1);
  const overSingle = await fetch(`${url}/api/channels/g/events`);
  await expectJsonError(overSingle, 429, "sixth channel, one-channel stream");

  // Closing streams frees their channels.
  await more.body?.cancel();
  let reopened: Response | null = null;
  for (let i = 0; i < 100; i++) {
    reopened = await open(["f", "g"]);
    if (reopened.status === 200) break;
    await reopened.body?.cancel();
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(reopened?.status, 200);
  for (const res of [first, again, single, reopened]) await res?.body?.cancel();
});

Deno.test("token mode: the app's pages and state routes read by the API's subscribe rules (HERALD_PUBLIC_SUBSCRIBE)", async () => {
  await using app = await startApp({
    env: {
      HERALD_JWT_SECRET: SECRET,
      HERALD_PUBLIC_SUBSCRIBE: "news",
      HERALD_FLIGHTS_SIMULATOR: "off",
    },
  });
  const url = app.url;
  const cookie = await sessionCookie(url);
  const created = await postJson(`${url}/chat`, { room: "lobby" }, { cookie });
  assert.equal(created.status, 201, await created.text());

  // The API's answer for the room's history, the reference.
  const api = await fetch(`${url}/api/channels/chat:lobby/messages`);
  await expectJsonError(api, 401, "API history without a token");
  for (
    const path of [
      "/chat/lobby/state",
      "/chat/lobby",
      "/chat",
      "/flights/state",
      "/flights",
      "/logs",
      "/",
    ]
  ) {
    const res = await fetch(url + path, { headers: { cookie } });
    await expectJsonError(res, 401, `GET ${path} without a token`);
  }
  // A token that may read them opens the same pages (from the cookie a page can carry).
  const reader = await hsToken({
    sub: "reader",
    herald: {
      subscribe: [
        "chat:*",
        "chat-rooms",
        "flights",
        "herald.logs",
        "notifications",
      ],
    },
  });
  for (
    const path of [
      "/chat/lobby/state",
      "/chat/lobby",
      "/flights/state",
      "/logs",
      "/",
    ]
  ) {
    const res = await fetch(url + path, {
      headers: { cookie: `${cookie}; herald_token=${reader}` },
    });
    assert.equal(res.status, 200, `GET ${path} with a reader token`);
    await res.body?.cancel();
  }
});

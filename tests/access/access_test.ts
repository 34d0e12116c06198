/** The hooks the HTTP layer calls (authorize, acquireStream, checkPublishRate) on real Requests. */
import assert from "node:assert/strict";
import { HttpError } from "../../lib/http/error.ts";
import { accessConfigFromEnv } from "../../lib/access/config.ts";
import { createAccess } from "../../lib/access/access.ts";
import { signSession } from "../../lib/access/session.ts";
import { forgedToken, hsToken, noneToken, SECRET } from "./_tokens.ts";

const remoteAddr: Deno.NetAddr = {
  transport: "tcp",
  hostname: "203.0.113.7",
  port: 5555,
};

function secured(extra: Record<string, string> = {}) {
  return createAccess(
    accessConfigFromEnv({ HERALD_JWT_SECRET: SECRET, ...extra }),
  );
}

/** A `Cookie` header value with a session signed by `access`'s key (or another instance's). */
async function sessionCookieOf(
  access: { sessionKey(): Promise<CryptoKey> },
  id: string,
): Promise<string> {
  return `herald_session=${await signSession(
    { id, name: id.toUpperCase() },
    await access.sessionKey(),
  )}`;
}

function req(path: string, init: RequestInit = {}): Request {
  return new Request(`http://herald.test${path}`, init);
}

async function refusal(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpError, String(err));
    return err;
  }
  throw new Error("expected a refusal");
}

Deno.test("a token in the query string authorizes an EventSource stream", async () => {
  const access = secured();
  const token = await hsToken({ sub: "alice" });
  const who = await access.authorize(
    req(`/api/channels/user:alice/events?token=${token}`),
    "subscribe",
    ["user:alice"],
    { remoteAddr },
  );
  assert.deepEqual([who.sub, who.ip, who.via], [
    "alice",
    "203.0.113.7",
    "token",
  ]);
});

Deno.test("an invalid token is refused even on a public channel", async () => {
  const access = secured();
  for (
    const token of [
      await forgedToken({ sub: "x" }),
      await hsToken({ sub: "x" }, { expiresIn: -10 }),
      noneToken({ sub: "x" }),
    ]
  ) {
    const err = await refusal(
      access.authorize(
        req("/api/channels/news/events", {
          headers: { authorization: `Bearer ${token}` },
        }),
        "subscribe",
        ["news"],
      ),
    );
    assert.equal(err.status, 401);
  }
});

Deno.test("every channel of a multi-channel request is checked", async () => {
  const access = secured();
  const token = await hsToken({ sub: "alice" });
  const err = await refusal(
    access.authorize(
      req("/api/events", { headers: { authorization: `Bearer ${token}` } }),
      "subscribe",
      ["news", "user:alice", "user:bob"],
    ),
  );
  assert.equal(err.status, 403);
  assert.match(err.message, /user:bob/);
});

Deno.test("the session cookie opens its own user channel, not another's", async () => {
  const access = secured();
  const cookie = await sessionCookieOf(access, "anon-a");
  const who = await access.authorize(
    req("/api/channels/user:anon-a/events", { headers: { cookie } }),
    "subscribe",
    ["user:anon-a"],
  );
  assert.deepEqual([who.sub, who.via, who.session?.name], [
    "anon-a",
    "session",
    "ANON-A",
  ]);
  const err = await refusal(
    access.authorize(req("/x", { headers: { cookie } }), "subscribe", [
      "user:anon-b",
    ]),
  );
  assert.equal(err.status, 401);
});

Deno.test("a session cookie from another key is not a session", async () => {
  const access = secured();
  const other = secured({ HERALD_SESSION_SECRET: "different" });
  const cookie = await sessionCookieOf(other, "anon-a");
  const err = await refusal(
    access.authorize(req("/x", { headers: { cookie } }), "subscribe", [
      "user:anon-a",
    ]),
  );
  assert.equal(err.status, 401);
});

Deno.test("a cross-site publish with cookies is refused; a same-origin one passes", async () => {
  const access = secured();
  const cookie = await sessionCookieOf(access, "anon-a");
  const post = (site: string) =>
    access.authorize(
      req("/api/channels/notifications/messages", {
        method: "POST",
        headers: { cookie, "sec-fetch-site": site },
      }),
      "publish",
      ["notifications"],
    );
  assert.equal((await refusal(post("cross-site"))).status, 403);
  assert.equal((await refusal(post("same-site"))).status, 403);
  assert.equal((await post("same-origin")).sub, "anon-a");
});

Deno.test("a cross-site publish without cookies passes only from an allowed CORS origin, to the API", async () => {
  const access = secured({ HERALD_CORS_ORIGINS: "https://app.example" });
  const token = await hsToken({ sub: "bot", herald: { publish: ["news"] } });
  const post = (path: string, origin: string, extra = {}) =>
    access.authorize(
      req(path, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          origin,
          "sec-fetch-site": "cross-site",
          ...extra,
        },
      }),
      "publish",
      ["news"],
    );
  const api = "/api/channels/news/messages";
  assert.equal((await post(api, "https://app.example")).sub, "bot");
  assert.equal((await refusal(post(api, "https://evil.example"))).status, 403);
  assert.equal(
    (await refusal(post("/notifications", "https://app.example"))).status,
    403,
  );
  const cookie = await sessionCookieOf(access, "anon-a");
  assert.equal(
    (await refusal(post(api, "https://app.example", { cookie }))).status,
    403,
  );
});

Deno.test("without a secret, tokens are ignored and public channels are open", async () => {
  const access = createAccess(accessConfigFromEnv({}));
  const who = await access.authorize(
    req("/x", {
      headers: { authorization: `Bearer ${noneToken({ sub: "x" })}` },
    }),
    "publish",
    ["news"],
  );
  assert.equal(who.via, "anonymous");
  assert.equal(
    (await refusal(access.authorize(req("/x"), "subscribe", ["private:a"])))
      .status,
    403,
  );
});

Deno.test("Basic credentials of a protecting proxy neither refuse nor replace the session", async () => {
  const basic = "Basic c3RhZ2luZzpzM2NyZXQ=";
  for (const access of [createAccess(accessConfigFromEnv({})), secured()]) {
    const cookie = await sessionCookieOf(access, "anon-a");
    const who = await access.authorize(
      req("/api/events?channel=notifications&channel=user:anon-a", {
        headers: { authorization: basic, cookie },
      }),
      "subscribe",
      ["notifications", "user:anon-a"],
    );
    assert.deepEqual([who.sub, who.via], ["anon-a", "session"]);
    await access.authorize(
      req("/notifications", {
        method: "POST",
        headers: {
          authorization: basic,
          cookie,
          "sec-fetch-site": "same-origin",
        },
      }),
      "publish",
      ["notifications"],
    );
  }
});

Deno.test("without a secret even a malformed Bearer header is ignored", async () => {
  const access = createAccess(accessConfigFromEnv({}));
  const who = await access.authorize(
    req("/x", { headers: { authorization: "Bearer a b" } }),
    "subscribe",
    ["news"],
  );
  assert.equal(who.via, "anonymous");
});

Deno.test("open streams are limited per user and per address", async () => {
  const access = secured({
    HERALD_MAX_STREAMS_PER_USER: "2",
    HERALD_MAX_STREAMS_PER_IP: "3",
  });
  const alice = {
    sub: "alice",
    ip: "1.1.1.1",
    via: "token",
    token: null,
    session: null,
  } as const;
  const anon = { ...alice, sub: null, via: "anonymous" } as const;
  const r1 = await access.acquireStream(alice);
  const r2 = await access.acquireStream(alice);
  const err = await access.acquireStream(alice).then(
    () => undefined,
    (e) => e as HttpError,
  );
  assert.equal(err?.status, 429);
  assert.match(err!.message, /user/);
  const r3 = await access.acquireStream(anon); // third from this address
  await assert.rejects(
    () => access.acquireStream(anon),
    (e: HttpError) => /address/.test(e.message),
  );
  r1();
  const r4 = await access.acquireStream(alice); // the refused attempt did not leak a count
  await assert.rejects(() => access.acquireStream(anon));
  r2();
  r3();
  r4();
  (await access.acquireStream({ ...anon, ip: "2.2.2.2" }))();
});

Deno.test("publishing too fast is a 429 with Retry-After in seconds", async () => {
  const access = secured({
    HERALD_PUBLISH_RATE_IP: "1",
    HERALD_PUBLISH_BURST_IP: "3",
  });
  const anon = {
    sub: null,
    ip: "9.9.9.9",
    via: "anonymous",
    token: null,
    session: null,
  } as const;
  for (let i = 0; i < 3; i++) await access.checkPublishRate(anon);
  try {
    await access.checkPublishRate(anon);
    assert.fail("expected 429");
  } catch (err) {
    assert.ok(err instanceof HttpError);
    assert.equal(err.status, 429);
    assert.ok(Number(new Headers(err.headers).get("retry-after")) >= 1);
  }
  // Another address, and a token holder on the same address, have their own buckets.
  await access.checkPublishRate({ ...anon, ip: "8.8.8.8" });
  await access.checkPublishRate({
    ...anon,
    via: "token",
    token: { sub: null, subscribe: [], publish: [], key: "jti:b" },
  });
});

Deno.test("X-Forwarded-For counts only with HERALD_TRUST_PROXY", () => {
  const headers = { "x-forwarded-for": "6.6.6.6, 198.51.100.4" };
  assert.equal(
    secured().clientIp(req("/", { headers }), { remoteAddr }),
    "203.0.113.7",
  );
  assert.equal(
    secured({ HERALD_TRUST_PROXY: "1" }).clientIp(req("/", { headers }), {
      remoteAddr,
    }),
    "198.51.100.4",
  );
  assert.equal(
    secured({ HERALD_TRUST_PROXY: "2" }).clientIp(req("/", { headers }), {
      remoteAddr,
    }),
    "6.6.6.6",
  );
});

Deno.test("malformed limit settings fail loudly at startup", () => {
  assert.throws(
    () => accessConfigFromEnv({ HERALD_MAX_STREAMS_PER_IP: "lots" }),
    /HERALD_MAX_STREAMS_PER_IP/,
  );
  const config = accessConfigFromEnv({
    HERALD_SESSION_PUBLISH: " chat:* , ",
    HERALD_CORS_ORIGINS: "https://a.example,https://b.example",
  });
  assert.deepEqual(config.sessionPublish, ["chat:*"]);
  assert.deepEqual(config.corsOrigins, [
    "https://a.example",
    "https://b.example",
  ]);
  assert.equal(config.limits.streamsPerUser, 20);
});

Deno.test("HERALD_PUBLIC_SUBSCRIBE set empty makes reading any channel need a token", async () => {
  const access = secured({ HERALD_PUBLIC_SUBSCRIBE: "" });
  const err = await refusal(
    access.authorize(req("/api/channels/news/events"), "subscribe", ["news"]),
  );
  assert.equal(err.status, 401);
  const token = await hsToken({ sub: "r", herald: { subscribe: ["news"] } });
  const who = await access.authorize(
    req("/api/channels/news/events", {
      headers: { authorization: `Bearer ${token}` },
    }),
    "subscribe",
    ["news"],
  );
  assert.equal(who.sub, "r");
});

Deno.test("the new policy settings are checked at startup and have their documented defaults", () => {
  for (
    const [name, value] of [
      ["HERALD_ADMIN_TOKEN", "too-short"],
      ["HERALD_ADMIN_TOKEN", "long enough but has spaces in it"],
      ["HERALD_MAX_CHANNELS_PER_IP", "many"],
      ["HERALD_ROOM_CREATE_RATE", "-1"],
      ["HERALD_ROOM_CREATE_BURST", "x"],
    ]
  ) {
    assert.throws(
      () => accessConfigFromEnv({ [name]: value }),
      new RegExp(name),
      `${name}=${value}`,
    );
  }
  const config = accessConfigFromEnv({});
  assert.equal(config.adminToken, null);
  assert.equal(config.limits.channelsPerIp, 256);
  assert.equal(config.limits.roomCreateRate, 0.05);
  assert.equal(config.limits.roomCreateBurst, 5);
  assert.deepEqual(config.sessionPublish, [
    "notifications",
    "chat:*",
    "chat-rooms",
    "flights",
  ]);
});

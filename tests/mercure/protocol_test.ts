/**
 * The Mercure hub at /.well-known/mercure against a real server process:
 * publishing (form fields, answers, authorization), subscriptions by exact
 * topic, URL pattern and the older `topic` selector, private updates,
 * resume by hub and publisher ids, tokens by header, query and cookie, and
 * that private updates do not leak through Herald's own API.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import {
  type Fields,
  HUB,
  mercureToken,
  nextData,
  publish,
  published,
  publisherToken,
  subscribe,
} from "./_mercure.ts";
import { hsToken, SECRET } from "../access/_tokens.ts";

const ENV = { HERALD_BROKER: "memory", HERALD_JWT_SECRET: SECRET };
const BOOKS = "https://example.com/books/";

Deno.test("mercure hub: publish, subscribe, private updates, resume", async (t) => {
  await using app = await startApp({ env: ENV });
  const url = app.url;
  const pub = await publisherToken();

  await t.step("publishing needs a token that grants the topic", async () => {
    const none = await publish(url, [["topic", BOOKS + "1"], ["data", "x"]]);
    assert.equal(none.status, 401);
    assert.equal((await none.json()).error.code, "unauthorized");
    const narrow = await mercureToken({
      mercure: { publish: [BOOKS + "1"] },
    });
    const denied = await publish(url, [["topic", BOOKS + "2"]], narrow);
    assert.equal(denied.status, 403);
    assert.equal((await denied.json()).error.code, "insufficient_scope");
    assert.equal(
      (await publish(url, [["topic", BOOKS + "1"]], narrow)).status,
      200,
    );
    const bad = await publish(url, [["topic", BOOKS + "1"]], "not.a.jwt");
    assert.equal(bad.status, 401);
    assert.equal((await bad.json()).error.code, "invalid_token");
  });

  await t.step(
    "an Idempotency-Key publishes once and answers the first id again",
    async () => {
      const sub = await subscribe(url, [["match", "urn:idem"]]);
      const send = (data: string) =>
        fetch(url + HUB, {
          method: "POST",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `Bearer ${pub}`,
            "idempotency-key": "order-1",
          },
          body: new URLSearchParams({ topic: "urn:idem", data }).toString(),
        });
      const first = await send("once");
      const again = await send("once");
      const firstId = await first.text();
      assert.equal(first.status, 200);
      assert.equal(again.status, 200);
      assert.equal(await again.text(), firstId);
      assert.equal(again.headers.get("idempotent-replayed"), "true");
      const other = await send("something else");
      assert.equal(other.status, 422);
      await other.body?.cancel();
      await published(url, [["topic", "urn:idem"], ["data", "after"]], pub);
      const events = await sub.sse.events(2);
      assert.deepEqual(events.map((e) => [e.id, e.data]).slice(0, 1), [[
        firstId,
        "once",
      ]]);
      assert.equal(events[1].data, "after");
      await sub.sse.cancel();
    },
  );

  await t.step(
    "bad publish forms are refused, naming the problem",
    async () => {
      const cases: [Fields, number, RegExp][] = [
        [[["data", "no topic"]], 400, /topic/],
        [[["topic", "a"], ["id", "#mine"]], 400, /id/],
        [[["topic", "a"], ["retry", "10s"]], 400, /retry/],
        [[["topic", "a"], ["type", "a\nb"]], 400, /type/],
        [[["topic", "a\u0001b"]], 400, /control/],
        [[["topic", "/.well-known/mercure/subscriptions"]], 403, /hub/],
        [[["topic", "x".repeat(70_000)]], 413, /exceeds/],
      ];
      for (const [fields, status, message] of cases) {
        const res = await publish(url, fields, pub);
        const body = await res.json();
        assert.equal(res.status, status, JSON.stringify(fields).slice(0, 80));
        assert.match(body.error.message, message);
      }
      const json = await fetch(url + HUB, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${pub}`,
        },
        body: JSON.stringify({ topic: "a", data: "b" }),
      });
      assert.equal(json.status, 415);
      await json.body?.cancel();
    },
  );

  await t.step(
    "an exact subscription gets its topic's updates with id, type, retry and data",
    async () => {
      const sub = await subscribe(url, [["match", BOOKS + "1"]]);
      assert.equal(
        sub.res.headers.get("content-type"),
        "text/event-stream; charset=utf-8",
      );
      await published(url, [["topic", BOOKS + "2"], ["data", "other"]], pub);
      const id = await published(url, [
        ["topic", BOOKS + "1"],
        ["data", "line 1\nline 2"],
        ["type", "book updated"],
        ["retry", "1234"],
      ], pub);
      assert.match(id, /^#\d{16}-[0-9a-z]{4}$/);
      const retry = [];
      let event;
      while (!event) {
        const record = await sub.sse.next();
        if (record?.kind === "retry") retry.push(record.ms);
        if (record?.kind === "event") event = record;
      }
      assert.deepEqual(
        { id: event.id, type: event.event, data: event.data },
        { id, type: "book updated", data: "line 1\nline 2" },
      );
      assert.ok(retry.includes(1234), `retry ${retry}`);
      await sub.sse.cancel();
    },
  );

  await t.step(
    "URL pattern, match_urlpattern, topic= URI templates and * select what they match",
    async () => {
      const subs = [
        await subscribe(url, [["matchURLPattern", BOOKS + ":id"]]),
        await subscribe(url, [["match_urlpattern", "https://example.com/*"]]),
        await subscribe(url, [["topic", BOOKS + "{id}"]]),
        await subscribe(url, [["match", "*"]]),
      ];
      await published(url, [["topic", "https://example.org/books/1"], [
        "data",
        "org",
      ]], pub);
      await published(
        url,
        [["topic", BOOKS + "7/reviews"], ["data", "deep"]],
        pub,
      );
      await published(url, [["topic", BOOKS + "7"], ["data", "book 7"]], pub);
      assert.deepEqual(await nextData(subs[0]), ["book 7"]);
      assert.deepEqual(await nextData(subs[1], 2), ["deep", "book 7"]);
      assert.deepEqual(await nextData(subs[2]), ["book 7"]);
      assert.deepEqual(await nextData(subs[3], 3), ["org", "deep", "book 7"]);
      // A relative pattern is read against the hub's URL; so is a relative topic.
      const relative = await subscribe(url, [[
        "matchURLPattern",
        "/books/:id",
      ]]);
      await published(url, [["topic", "/books/9"], ["data", "relative"]], pub);
      assert.deepEqual(await nextData(relative), ["relative"]);
      for (const sub of [...subs, relative]) await sub.sse.cancel();
    },
  );

  await t.step("bad subscriptions are 400s naming the parameter", async () => {
    const cases: [Fields, RegExp][] = [
      [[], /match/],
      [[["matchFoo", "a"]], /matchFoo/],
      [[["matchURLPattern", "https://e.com/(a+)+"]], /matchURLPattern/],
      [[["matchURLPattern", "https://e.com/*a*b*c"]], /wildcard/],
      [[["matchURLPattern", "https://e.com/:id*"]], /modifier/],
      [[["match", "a\u0000b"]], /control/],
    ];
    for (const [params, message] of cases) {
      const res = await fetch(`${url}${HUB}?${new URLSearchParams(params)}`);
      assert.equal(res.status, 400, JSON.stringify(params));
      assert.match((await res.json()).error.message, message);
    }
  });

  await t.step(
    "private updates reach only subscribers whose token grants their topic",
    async () => {
      const legacy = await mercureToken({
        mercure: { subscribe: [BOOKS + "1"] },
      });
      const rfc9068 = await mercureToken({
        authorization_details: [{
          type: "mercure",
          actions: ["subscribe"],
          topics: [{ match: BOOKS + ":id", matchType: "URLPattern" }],
        }],
      });
      const anonymous = await subscribe(url, [[
        "matchURLPattern",
        BOOKS + ":id",
      ]]);
      const one = await subscribe(url, [["matchURLPattern", BOOKS + ":id"]], {
        authorization: `Bearer ${legacy}`,
      });
      const all = await subscribe(
        url,
        [["matchURLPattern", BOOKS + ":id"], ["access_token", rfc9068]],
      );
      const cookie = await subscribe(url, [["match", BOOKS + "1"]], {
        cookie: `mercureAuthorization=${legacy}`,
      });
      await published(url, [["topic", BOOKS + "1"], ["data", "secret 1"], [
        "private",
        "on",
      ]], pub);
      await published(url, [["topic", BOOKS + "2"], ["data", "secret 2"], [
        "private",
        "",
      ]], pub);
      await published(url, [["topic", BOOKS + "3"], ["data", "public 3"]], pub);
      assert.deepEqual(await nextData(anonymous), ["public 3"]);
      assert.deepEqual(await nextData(one, 2), ["secret 1", "public 3"]);
      assert.deepEqual(await nextData(all, 3), [
        "secret 1",
        "secret 2",
        "public 3",
      ]);
      assert.deepEqual(await nextData(cookie), ["secret 1"]);
      for (const sub of [anonymous, one, all, cookie]) await sub.sse.cancel();
    },
  );

  await t.step(
    "private updates do not leak through Herald's API, which cannot write Mercure channels",
    async () => {
      const history = await fetch(
        `${url}/api/channels/private:mercure/messages`,
      );
      assert.equal(history.status, 401);
      await history.body?.cancel();
      const pubHistory =
        await (await fetch(`${url}/api/channels/mercure/messages?limit=1000`))
          .json();
      const text = JSON.stringify(pubHistory);
      assert.ok(
        text.includes("public 3") && !text.includes("secret"),
        text.slice(0, 200),
      );
      const heraldPublisher = await hsToken({ herald: { publish: ["*"] } });
      const write = await fetch(`${url}/api/channels/mercure/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${heraldPublisher}`,
        },
        body: JSON.stringify({ data: "forged" }),
      });
      assert.equal(write.status, 403);
      assert.equal((await write.json()).error.code, "app_owned_channel");
    },
  );

  await t.step(
    "resume after a publisher-chosen id, a hub id, or from the earliest",
    async () => {
      const topic = "urn:resume";
      const firstId = await published(url, [["topic", topic], ["data", "r1"], [
        "id",
        "urn:uuid:r-1",
      ]], pub);
      assert.equal(firstId, "urn:uuid:r-1");
      const secondId = await published(
        url,
        [["topic", topic], ["data", "r2"]],
        pub,
      );
      await published(url, [["topic", topic], ["data", "r3"], [
        "id",
        "urn:uuid:r-3",
      ]], pub);

      const byHeader = await subscribe(url, [["match", topic]], {
        "last-event-id": "urn:uuid:r-1",
      });
      assert.equal(byHeader.res.headers.get("last-event-id"), "urn:uuid:r-1");
      const events = await byHeader.sse.events(2);
      assert.deepEqual(events.map((e) => [e.id, e.data]), [[secondId, "r2"], [
        "urn:uuid:r-3",
        "r3",
      ]]);

      const byQuery = await subscribe(url, [["match", topic], [
        "lastEventID",
        secondId,
      ]]);
      assert.deepEqual(await nextData(byQuery), ["r3"]);
      const bySnake = await subscribe(url, [["match", topic], [
        "last_event_id",
        "urn:uuid:r-1",
      ]]);
      assert.deepEqual(await nextData(bySnake, 2), ["r2", "r3"]);
      const earliest = await subscribe(url, [["match", topic], [
        "lastEventID",
        "earliest",
      ]]);
      assert.equal(earliest.res.headers.get("last-event-id"), "earliest");
      assert.deepEqual(await nextData(earliest, 3), ["r1", "r2", "r3"]);
      // An id the hub does not know: everything it holds, and the header says so.
      const unknown = await subscribe(url, [["match", topic]], {
        "last-event-id": "urn:uuid:nope",
      });
      assert.equal(unknown.res.headers.get("last-event-id"), "earliest");
      assert.deepEqual(await nextData(unknown, 3), ["r1", "r2", "r3"]);
      for (const sub of [byHeader, byQuery, bySnake, earliest, unknown]) {
        await sub.sse.cancel();
      }
    },
  );

  await t.step(
    "a resume does not find, or replay, private updates the subscriber may not see",
    async () => {
      const topic = "urn:hidden";
      await published(url, [["topic", topic], ["data", "h1"], [
        "id",
        "urn:hidden:1",
      ], ["private", "on"]], pub);
      await published(url, [["topic", topic], ["data", "h2"]], pub);
      const sub = await subscribe(url, [["match", topic]], {
        "last-event-id": "urn:hidden:1",
      });
      assert.equal(sub.res.headers.get("last-event-id"), "earliest");
      assert.deepEqual(await nextData(sub), ["h2"]);
      await sub.sse.cancel();
    },
  );

  await t.step(
    "HEAD answers a subscription's headers or its 400; the subscription API is a JSON 404",
    async () => {
      const head = await fetch(`${url}${HUB}?match=a`, { method: "HEAD" });
      assert.equal(head.status, 200);
      assert.equal(
        head.headers.get("content-type"),
        "text/event-stream; charset=utf-8",
      );
      await head.body?.cancel();
      const bad = await fetch(`${url}${HUB}?matchFoo=a`, { method: "HEAD" });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      const api = await fetch(`${url}${HUB}/subscriptions`);
      assert.equal(api.status, 404);
      assert.equal((await api.json()).error.code, "not_found");
    },
  );

  await t.step("a subscription ends when its token expires", async () => {
    const brief = await mercureToken({ mercure: { subscribe: ["*"] } }, 1);
    const sub = await subscribe(url, [["match", "*"]], {
      authorization: `Bearer ${brief}`,
    });
    const rest = await sub.sse.rest(15_000);
    assert.ok(sub.sse.ended, `stream still open: ${JSON.stringify(rest)}`);
  });
});

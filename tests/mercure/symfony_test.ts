/**
 * Symfony's Mercure component (a real third-party publisher, run with php)
 * publishes to Herald's hub: ids come back as the component expects, the
 * updates reach subscribers (alternate topics, private ones only with a
 * grant), and a refused publish is reported as the component sees it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { HUB, mercureToken, nextData, SECRET, subscribe } from "./_mercure.ts";
import { requireSymfonyMercure, symfonyPublish } from "./_php.ts";

const php = requireSymfonyMercure();

Deno.test({
  name: "mercure: Symfony's Mercure component publishes to Herald's hub",
  ignore: !php,
  fn: async () => {
    await using app = await startApp({
      env: { HERALD_BROKER: "memory", HERALD_JWT_SECRET: SECRET },
    });
    const token = await mercureToken({ mercure: { publish: ["*"] } });
    const reader = await mercureToken({
      mercure: { subscribe: ["https://shop.example/orders/{id}"] },
    });
    const books = await subscribe(app.url, [[
      "match",
      "https://shop.example/books/1",
    ]]);
    const orders = await subscribe(
      app.url,
      [["topic", "https://shop.example/orders/{id}"]],
      { authorization: `Bearer ${reader}` },
    );
    const anonymousOrders = await subscribe(app.url, [[
      "matchURLPattern",
      "https://shop.example/orders/:id",
    ]]);

    const ids = await symfonyPublish(app.url + HUB, token, [
      { topics: "https://shop.example/books/1", data: '{"title":"Dune"}' },
      {
        topics: [
          "https://shop.example/orders/7",
          "https://shop.example/books/1",
        ],
        data: "order 7 (about book 1)",
        private: true,
        id: "urn:uuid:order-7",
        type: "order",
      },
      { topics: "https://shop.example/orders/8", data: "order 8", retry: 500 },
    ]);
    assert.match(ids[0], /^#\d{16}-[0-9a-z]{4}$/);
    assert.equal(ids[1], "urn:uuid:order-7");
    assert.match(ids[2], /^#/);

    // The private update names book 1 as an alternate topic, but the
    // anonymous books subscriber may not read it.
    assert.deepEqual(await nextData(books), ['{"title":"Dune"}']);
    const got = await orders.sse.events(2);
    assert.deepEqual(
      got.map((e) => [e.id, e.event, e.data]),
      [
        ["urn:uuid:order-7", "order", "order 7 (about book 1)"],
        [ids[2], "message", "order 8"],
      ],
    );
    assert.deepEqual(await nextData(anonymousOrders), ["order 8"]);

    const narrow = await mercureToken({
      mercure: { publish: ["https://shop.example/books/{id}"] },
    });
    const refused = await symfonyPublish(app.url + HUB, narrow, [
      { topics: "https://shop.example/orders/9", data: "not allowed" },
      { topics: "https://shop.example/books/2", data: "allowed" },
    ]);
    assert.match(refused[0], /^error: .*403/);
    assert.match(refused[1], /^#/);
    for (const sub of [books, orders, anonymousOrders]) await sub.sse.cancel();
  },
});

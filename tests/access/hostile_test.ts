/**
 * Hostile input against every route of a real Herald process (memory broker,
 * token checks on): each bad request gets a clear 4xx with a JSON message,
 * while two well-behaved SSE streams opened before the attack keep receiving
 * every message, in order, none lost, none duplicated. Tokens never reach the
 * server log.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { type SseMessage, SseReader } from "../_support/sse_parser.ts";
import { rawGet, rawRequest } from "./_http.ts";
import { forgedToken, hsToken, noneToken, SECRET } from "./_tokens.ts";

/** Reads a stream in the background into `events`. */
class Listener {
  readonly events: SseMessage[] = [];
  readonly #reader: SseReader;
  readonly #done: Promise<void>;

  constructor(body: ReadableStream<Uint8Array>) {
    const reader = this.#reader = new SseReader(body);
    this.#done = (async () => {
      while (true) {
        const event = await reader.nextEvent(120_000).catch(() => null);
        if (!event) return;
        this.events.push(event);
      }
    })();
  }

  async waitFor(count: number, what: string): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (this.events.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`${what}: ${this.events.length} of ${count} events`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    await this.#reader.cancel();
    await this.#done;
  }
}

async function expectError(
  res: Response,
  status: number | number[],
  what: string,
): Promise<{ code: string; message: string }> {
  const statuses = Array.isArray(status) ? status : [status];
  const text = await res.text();
  assert.ok(
    statuses.includes(res.status),
    `${what}: expected ${statuses.join("/")}, got ${res.status} ${
      text.slice(0, 200)
    }`,
  );
  assert.match(
    res.headers.get("content-type") ?? "",
    /application\/json/,
    what,
  );
  const { error } = JSON.parse(text);
  assert.equal(typeof error?.code, "string", what);
  assert.ok(error.message.length > 0, what);
  return error;
}

Deno.test({
  name:
    "hostile input: clear 4xx on every route while good streams lose nothing",
  async fn(t) {
    await using app = await startApp({
      env: {
        HERALD_BROKER: "memory",
        HERALD_JWT_SECRET: SECRET,
        HERALD_MAX_STREAMS_PER_USER: "3",
        HERALD_PUBLISH_RATE: "1000",
        HERALD_PUBLISH_BURST: "1000",
        HERALD_PUBLISH_RATE_IP: "5",
        HERALD_PUBLISH_BURST_IP: "10",
      },
    });
    const url = app.url;
    const backend = await hsToken({
      sub: "backend",
      herald: { publish: ["room:*", "user:*"] },
    });
    const alice = await hsToken({ sub: "alice" });
    const mallory = await hsToken({
      sub: "mallory",
      herald: { subscribe: ["room:*"], publish: ["room:*"] },
    });
    const expired = await hsToken({ sub: "alice" }, { expiresIn: -60 });
    const forged = await forgedToken({
      sub: "alice",
      herald: { publish: ["*"] },
    });
    const unsigned = noneToken({
      sub: "alice",
      herald: { publish: ["user:*"] },
    });
    const secrets = [backend, alice, mallory, expired, forged, unsigned];

    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const publish = (
      channel: string,
      body: BodyInit,
      headers: Record<string, string> = {},
    ) =>
      fetch(`${url}/api/channels/${channel}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body,
      });

    // Two well-behaved clients, connected before the attack.
    const roomStream = await fetch(`${url}/api/channels/room:1/events`);
    assert.equal(roomStream.status, 200);
    const aliceStream = await fetch(
      `${url}/api/events?channel=room:1&channel=user:alice&token=${alice}`,
    );
    assert.equal(aliceStream.status, 200);
    const room = new Listener(roomStream.body!);
    const mixed = new Listener(aliceStream.body!);

    let sentRoom = 0;
    let sentAlice = 0;
    const publishGood = async () => {
      const toAlice = (sentRoom + sentAlice) % 4 === 3;
      const res = toAlice
        ? await publish(
          "user:alice",
          JSON.stringify({ data: { alice: sentAlice } }),
          auth(backend),
        )
        : await publish(
          "room:1",
          JSON.stringify({ event: "tick", data: { n: sentRoom } }),
          auth(backend),
        );
      assert.equal(res.status, 201, await res.text());
      if (toAlice) sentAlice++;
      else sentRoom++;
    };
    // Warm up: both streams are live before the attack starts.
    await publishGood();
    await room.waitFor(1, "room stream warm-up");
    await mixed.waitFor(1, "alice stream warm-up");

    const attack = async (
      name: string,
      run: () => Promise<void>,
    ) => {
      await t.step(name, async () => {
        await run();
        await publishGood();
        await publishGood();
      });
    };

    try {
      // Bodies.
      const streamedBody = () => {
        const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
        let sent = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent++ === 0) {
              controller.enqueue(new TextEncoder().encode('{"data":"'));
            } else if (sent < 40) controller.enqueue(chunk);
            else controller.close();
          },
        });
      };
      const badBodies: [string, () => BodyInit, number][] = [
        [
          "oversized body",
          () => JSON.stringify({ data: "x".repeat(2 * 1024 * 1024) }),
          413,
        ],
        ["oversized streamed body without Content-Length", streamedBody, 413],
        ["truncated JSON", () => '{"data": [1, 2', 400],
        ["invalid JSON", () => "{data: 1}", 400],
        ["invalid UTF-8", () =>
          new Uint8Array([
            ...new TextEncoder().encode('{"data":"'),
            0xff,
            0xfe,
            0xc3,
            ...new TextEncoder().encode('"}'),
          ]), 400],
        ["a JSON array", () => "[1,2]", 400],
        ["an empty body", () => "", 400],
      ];
      for (const [name, body, status] of badBodies) {
        await attack(`${name} → ${status}`, async () => {
          await expectError(
            await publish("room:1", body(), auth(backend)),
            status,
            name,
          );
        });
      }
      // Control characters in channel names, event names and ids.
      for (const bad of ["%0A", "%0D", "%00", "%0D%0Aid:%201"]) {
        await attack(`channel with ${bad} → 400 on every route`, async () => {
          const channel = `room${bad}x`;
          await expectError(
            await fetch(`${url}/api/channels/${channel}/events`),
            400,
            "events",
          );
          await expectError(
            await fetch(`${url}/api/events?channel=room:1&channel=${channel}`),
            400,
            "multi",
          );
          await expectError(
            await publish(channel, '{"data":1}', auth(backend)),
            400,
            "publish",
          );
          await expectError(
            await fetch(`${url}/api/channels/${channel}/messages`),
            400,
            "history",
          );
        });
      }
      await attack("channel that is not UTF-8 (%FF) → 400", async () => {
        await expectError(
          await fetch(`${url}/api/channels/%FF/events`),
          400,
          "ff",
        );
      });
      for (const bad of ["a\nb", "a\r\nid: 1", "a\u0000b", "gap"]) {
        await attack(`event name ${JSON.stringify(bad)} → 400`, async () => {
          await expectError(
            await publish(
              "room:1",
              JSON.stringify({ event: bad, data: 1 }),
              auth(backend),
            ),
            400,
            "event",
          );
        });
      }
      for (const bad of ["%0A1", "1%0D%0Aevent:%20x", "%00", "../../etc"]) {
        await attack(`resume id ${bad} → 400`, async () => {
          await expectError(
            await fetch(`${url}/api/channels/room:1/events?lastEventId=${bad}`),
            400,
            "lastEventId",
          );
          await expectError(
            await fetch(`${url}/api/channels/room:1/messages?after=${bad}`),
            400,
            "after",
          );
        });
      }
      await attack("a 10 KB Last-Event-ID → 400", async () => {
        await expectError(
          await fetch(`${url}/api/channels/room:1/events`, {
            headers: { "last-event-id": "9".repeat(10 * 1024) },
          }),
          400,
          "long id",
        );
      });
      await attack("10,000 channels in one subscribe → 4xx", async () => {
        const query = Array.from({ length: 10_000 }, (_, i) => `channel=c${i}`)
          .join("&");
        // fetch refuses a URL this long, so send it as it is. 10,000
        // `channel=` parameters pass the URI limit of the HTTP server, which
        // refuses them itself (400, no route runs)…
        const answer = await rawGet(app.port, `/api/events?${query}`);
        assert.equal(answer.status, 400);
        // …while the `channel=a,b` form stays under it and reaches the route.
        const commas = Array.from({ length: 10_000 }, (_, i) => `c${i}`).join(
          ",",
        );
        const routed = await rawGet(app.port, `/api/events?channel=${commas}`);
        assert.equal(routed.status, 400);
        assert.match(routed.head, /content-type: application\/json/i);
        assert.match(routed.body, /too_many_channels/);
      });

      // Static files: no way out of static/.
      for (
        const path of [
          "/../deno.json",
          "/%2e%2e/deno.json",
          "/static/..%2fdeno.json",
          "/..%2fdeno.json",
          "/%2e%2e%2fdeno.json",
        ]
      ) {
        await attack(
          `path traversal ${path} → 4xx, nothing leaked`,
          async () => {
            const answer = await rawGet(app.port, path);
            assert.ok(
              answer.status >= 400 && answer.status < 500,
              `${path}: ${answer.status}`,
            );
            assert.ok(
              !answer.body.includes('"imports"'),
              `${path} leaked deno.json`,
            );
          },
        );
      }

      // Tokens.
      for (
        const [name, token, code] of [
          ["forged", forged, "token_signature"],
          ["expired", expired, "token_expired"],
          ["alg none", unsigned, "token_algorithm"],
        ] as const
      ) {
        await attack(`${name} token → 401 on every route`, async () => {
          const e1 = await expectError(
            await fetch(`${url}/api/channels/room:1/events?token=${token}`),
            401,
            "events",
          );
          assert.equal(e1.code, code);
          await expectError(
            await fetch(`${url}/api/events?channel=room:1&channel=user:alice`, {
              headers: auth(token),
            }),
            401,
            "multi",
          );
          await expectError(
            await publish("room:1", '{"data":1}', auth(token)),
            401,
            "publish",
          );
          await expectError(
            await fetch(`${url}/api/channels/user:alice/messages`, {
              headers: { cookie: `herald_token=${token}` },
            }),
            401,
            "history",
          );
        });
      }
      await attack("no token where one is needed → 401", async () => {
        await expectError(
          await publish("room:1", '{"data":1}'),
          401,
          "publish",
        );
        await expectError(
          await fetch(`${url}/api/channels/user:alice/events`),
          401,
          "events",
        );
        await expectError(
          await fetch(`${url}/api/channels/private:ops/messages`),
          401,
          "history",
        );
      });
      await attack(
        "one user's token on another user's channel → 403",
        async () => {
          const e = await expectError(
            await fetch(
              `${url}/api/channels/user:alice/events?token=${mallory}`,
            ),
            403,
            "events",
          );
          assert.match(e.message, /user:alice/);
          await expectError(
            await fetch(
              `${url}/api/events?channel=room:1&channel=user:alice&token=${mallory}`,
            ),
            403,
            "multi",
          );
          await expectError(
            await fetch(`${url}/api/channels/user:alice/messages`, {
              headers: auth(mallory),
            }),
            403,
            "history",
          );
          await expectError(
            await publish("user:alice", '{"data":"phish"}', auth(mallory)),
            403,
            "publish",
          );
        },
      );
      // Basic is not a Herald credential (a protecting proxy's, passed on):
      // it opens nothing, and is no reason to refuse what is public.
      await attack(
        "a Basic Authorization header grants nothing → 401",
        async () => {
          await expectError(
            await fetch(`${url}/api/channels/user:alice/events`, {
              headers: { authorization: "Basic YWxpY2U6cHc=" },
            }),
            401,
            "basic",
          );
        },
      );

      // Cross-site, CORS, limits.
      const page = await fetch(`${url}/about`);
      await page.body?.cancel();
      const cookie = page.headers.get("set-cookie")?.split(";")[0] ?? "";
      assert.match(cookie, /^herald_session=/);
      await attack(
        "cross-site form post with the session cookie → 403",
        async () => {
          const res = await fetch(`${url}/api/channels/chat:lobby/messages`, {
            method: "POST",
            headers: {
              cookie,
              origin: "https://evil.example",
              "sec-fetch-site": "cross-site",
              "content-type": "application/x-www-form-urlencoded",
            },
            body: "data=hi",
            redirect: "manual",
          });
          await expectError(res, 403, "csrf");
        },
      );
      await attack(
        "preflight from an origin that is not allowed → 403",
        async () => {
          await expectError(
            await fetch(`${url}/api/channels/room:1/messages`, {
              method: "OPTIONS",
              headers: {
                origin: "https://evil.example",
                "access-control-request-method": "POST",
              },
            }),
            403,
            "preflight",
          );
        },
      );
      await attack("more open streams than a user may have → 429", async () => {
        const open: Response[] = [];
        try {
          for (let i = 0; i < 3; i++) {
            const res = await fetch(
              `${url}/api/channels/room:2/events?token=${mallory}`,
            );
            assert.equal(res.status, 200);
            open.push(res);
          }
          const fourth = await fetch(
            `${url}/api/channels/room:2/events?token=${mallory}`,
          );
          assert.ok(Number(fourth.headers.get("retry-after")) >= 1);
          await expectError(fourth, 429, "4th stream");
        } finally {
          await Promise.all(open.map((res) => res.body?.cancel()));
        }
      });
      await attack(
        "a publish flood from one address → 429 with Retry-After",
        async () => {
          const statuses: number[] = [];
          let retryAfter = 0;
          for (let i = 0; i < 30; i++) {
            const res = await publish(
              "notifications",
              JSON.stringify({ data: `flood ${i}` }),
              { cookie },
            );
            statuses.push(res.status);
            if (res.status === 429) {
              retryAfter = Number(res.headers.get("retry-after"));
              await expectError(res, 429, "flood");
            } else await res.body?.cancel();
          }
          assert.ok(statuses.includes(429), `statuses ${statuses}`);
          assert.ok(
            statuses.every((s) => s === 201 || s === 429),
            `statuses ${statuses}`,
          );
          assert.ok(retryAfter >= 1);
        },
      );

      await t.step(
        "the well-behaved streams got every message, in order",
        async () => {
          await room.waitFor(sentRoom, "room stream");
          await mixed.waitFor(sentRoom + sentAlice, "alice stream");
          // Give a stray duplicate or leak a moment to show up.
          await new Promise((r) => setTimeout(r, 300));
          assert.deepEqual(
            room.events.map((e) => JSON.parse(e.data).n),
            Array.from({ length: sentRoom }, (_, i) => i),
          );
          const envelopes = mixed.events.map((e) => JSON.parse(e.data));
          assert.deepEqual(
            envelopes.filter((e) => e.channel === "room:1").map((e) =>
              e.data.n
            ),
            Array.from({ length: sentRoom }, (_, i) => i),
          );
          assert.deepEqual(
            envelopes.filter((e) => e.channel === "user:alice").map((e) =>
              e.data.alice
            ),
            Array.from({ length: sentAlice }, (_, i) => i),
          );
          assert.equal(envelopes.length, sentRoom + sentAlice);
          const ids = mixed.events.map((e) => e.id!);
          assert.deepEqual([...ids].sort(), ids, "ids increase");
        },
      );

      await t.step(
        "tokens and query strings never reach the server log",
        () => {
          const log = app.output();
          for (const token of secrets) {
            assert.ok(!log.includes(token), "a token is in the log");
            assert.ok(
              !log.includes(token.split(".")[2] || token.split(".")[1]),
              "a token part is in the log",
            );
          }
          assert.ok(!log.includes("token="), "a query string is in the log");
        },
      );
    } finally {
      await room.close();
      await mixed.close();
    }
  },
});

Deno.test({
  name: "a body shorter than its Content-Length is a 4xx, never a 500",
  async fn() {
    await using app = await startApp({
      env: { HERALD_BROKER: "memory", HERALD_JWT_SECRET: SECRET },
    });
    const backend = await hsToken({
      sub: "b",
      herald: { publish: ["room:*"] },
    });
    const answer = await rawRequest(
      app.port,
      `POST /api/channels/room:1/messages HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${backend}\r\nContent-Type: application/json\r\n` +
        `Content-Length: 100\r\nConnection: close\r\n\r\n{"data":`,
      { closeWrite: true },
    );
    assert.ok(
      answer.status === 0 || (answer.status >= 400 && answer.status < 500),
      `got ${answer.head}\n${answer.body}`,
    );
    // The server still serves.
    const res = await fetch(`${app.url}/api/channels/room:1/messages`);
    // The answer and the server's log name the cause if this is ever not a 200.
    const body = await res.text();
    assert.equal(res.status, 200, `${body}\n${app.output()}`);
  },
});

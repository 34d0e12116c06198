/**
 * Hostile load against a real Herald process: bodies that are too large or
 * never end, on every route that takes one, answered early with a JSON error
 * while the server's memory stays flat; and, under a low descriptor limit,
 * hundreds of half-open or idle sockets from one address, while the server
 * keeps answering others and a stream keeps receiving every message in order.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { requirement } from "../_support/requirement.ts";
import { SseReader } from "../_support/sse_parser.ts";
import { waitFor } from "../_support/wait.ts";
import { rawGet } from "./_http.ts";

const encoder = new TextEncoder();

/** The server's resident memory in KB, from /proc (Linux). */
async function rssKb(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
}

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client managed to send before the answer or the close. */
  sent: number;
}

/**
 * POSTs `total` bytes to `path` in `Transfer-Encoding: chunked` (no
 * Content-Length), `first` then filler, and stops sending as soon as the
 * server answers or closes. `stallAfter`: send that many bytes, then wait
 * without ending the body.
 */
async function postChunked(
  port: number,
  path: string,
  opts: {
    contentType: string;
    first: string;
    total: number;
    stallAfter?: number;
    headers?: Record<string, string>;
  },
): Promise<Answer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  // A hang guard, not a timing assertion.
  const guard = setTimeout(() => conn.close(), 30_000);
  const extra = Object.entries(opts.headers ?? {})
    .map(([k, v]) => `${k}: ${v}\r\n`).join("");
  let answered = false;
  let text = "";
  const reading = (async () => {
    const buf = new Uint8Array(16 * 1024);
    const decoder = new TextDecoder();
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
      const head = text.indexOf("\r\n\r\n");
      const length = /content-length: (\d+)/i.exec(text)?.[1];
      if (head >= 0 && length && text.length >= head + 4 + Number(length)) {
        break;
      }
    }
    answered = true;
  })();
  let sent = 0;
  try {
    await conn.write(encoder.encode(
      `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
        `Content-Type: ${opts.contentType}\r\n` +
        `Transfer-Encoding: chunked\r\n${extra}\r\n`,
    ));
    const filler = "a".repeat(64 * 1024);
    let data = opts.first;
    const stopAt = opts.stallAfter ?? opts.total;
    while (!answered && sent < stopAt) {
      const piece = (data + filler).slice(
        0,
        Math.min(64 * 1024, stopAt - sent),
      );
      data = "";
      await conn.write(encoder.encode(
        `${piece.length.toString(16)}\r\n${piece}\r\n`,
      ));
      sent += piece.length;
    }
    if (!answered && opts.stallAfter === undefined) {
      await conn.write(encoder.encode("0\r\n\r\n"));
    }
  } catch {
    // The server answered and closed while we were still sending.
  }
  await reading;
  clearTimeout(guard);
  try {
    conn.close();
  } catch { /* closed by the guard */ }
  const split = text.indexOf("\r\n\r\n");
  return {
    status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1] ?? 0),
    body: split < 0 ? "" : text.slice(split + 4),
    sent,
  };
}

function assertJsonError(answer: Answer, status: number, what: string) {
  assert.equal(
    answer.status,
    status,
    `${what}: expected ${status}, got ${answer.status} ${
      answer.body.slice(0, 200)
    }`,
  );
  const { error } = JSON.parse(answer.body);
  assert.equal(typeof error?.code, "string", what);
  assert.ok(error.message.length > 0, what);
}

const FORM = "application/x-www-form-urlencoded";
const JSON_TYPE = "application/json";

Deno.test({
  name:
    "hostile load: every body is bounded while it is read, and one that never ends times out",
  async fn(t) {
    await using app = await startApp({
      env: {
        HERALD_BROKER: "memory",
        HERALD_PUBLISH_RATE: "1000",
        HERALD_PUBLISH_BURST: "1000",
        HERALD_PUBLISH_RATE_IP: "1000",
        HERALD_PUBLISH_BURST_IP: "1000",
        HERALD_BODY_TIMEOUT_MS: "1000",
      },
    });
    const { port } = app;

    await t.step(
      "a chunked 5 MB form to POST /notifications is a 413, memory stays flat",
      async () => {
        // Warm up the route, so the reading below measures the body alone.
        for (let i = 0; i < 3; i++) {
          const first = "message=warm+up&kind=info&to=everyone";
          const ok = await postChunked(port, "/notifications", {
            contentType: FORM,
            first,
            total: first.length,
            headers: { accept: "application/json" },
          });
          assert.equal(ok.status, 201, ok.body);
        }
        const before = await rssKb(app.pid);
        const answer = await postChunked(port, "/notifications", {
          contentType: FORM,
          first: "kind=info&to=everyone&message=",
          total: 5 * 1024 * 1024,
        });
        const after = await rssKb(app.pid);
        assertJsonError(answer, 413, "5 MB chunked form");
        assert.ok(
          after - before < 4 * 1024,
          `the server grew by ${after - before} KB reading a refused body`,
        );
      },
    );

    const routes: [string, string, string][] = [
      ["/notifications", JSON_TYPE, '{"message":"'],
      ["/chat", FORM, "name="],
      ["/chat/lobby/join", FORM, "username="],
      ["/chat/lobby/messages", JSON_TYPE, '{"text":"'],
      ["/flights/pause", FORM, "paused="],
      ["/api/channels/news/messages", JSON_TYPE, '{"data":"'],
    ];
    for (const [path, contentType, first] of routes) {
      await t.step(
        `POST ${path}: an endless chunked body is a 413 JSON`,
        async () => {
          const answer = await postChunked(port, path, {
            contentType,
            first,
            total: 2 * 1024 * 1024,
          });
          assertJsonError(answer, 413, path);
        },
      );
      await t.step(
        `POST ${path}: a body that stops coming is a 408 JSON`,
        async () => {
          const answer = await postChunked(port, path, {
            contentType,
            first,
            total: 1024,
            stallAfter: 100,
          });
          assertJsonError(answer, 408, path);
        },
      );
    }

    await t.step(
      "a declared Content-Length over the limit is refused before the body",
      async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(encoder.encode(
          `POST /notifications HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
            `Content-Type: ${FORM}\r\nContent-Length: ${
              100 * 1024 * 1024
            }\r\n\r\nmessage=`,
        ));
        const buf = new Uint8Array(4096);
        const n = await conn.read(buf);
        conn.close();
        const text = new TextDecoder().decode(buf.subarray(0, n ?? 0));
        assert.match(text, /^HTTP\/1\.1 413/);
        assert.match(text, /"code":"payload_too_large"/);
      },
    );

    await t.step(
      "a declared Content-Length that stops coming is a 408 JSON, and the connection ends",
      async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        let guardClosed = false;
        const guard = setTimeout(() => { // a hang guard
          guardClosed = true;
          conn.close();
        }, 15_000);
        await conn.write(encoder.encode(
          `POST /api/channels/news/messages HTTP/1.1\r\n` +
            `Host: 127.0.0.1:${port}\r\nContent-Type: ${JSON_TYPE}\r\n` +
            `Content-Length: 1000\r\n\r\n{"data":"`,
        ));
        let text = "";
        const buf = new Uint8Array(4096);
        while (true) {
          const n = await conn.read(buf).catch(() => null);
          if (n === null) break; // the server closed the connection
          text += new TextDecoder().decode(buf.subarray(0, n));
        }
        clearTimeout(guard);
        try {
          conn.close();
        } catch { /* closed by the guard */ }
        assert.match(text, /^HTTP\/1\.1 408/);
        assert.match(text, /"code":"body_timeout"/);
        // Not left to the client: a stalled connection is not kept.
        assert.equal(guardClosed, false, "the server kept the connection");
      },
    );

    await t.step("the server still answers after all of it", async () => {
      const res = await fetch(`${app.url}/about`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  },
});

const hasPrlimit = await new Deno.Command("prlimit", { args: ["--version"] })
  .output().then((o) => o.success, () => false);
const canLimit = requirement(
  hasPrlimit,
  "prlimit",
  "apt-get install util-linux",
);

/** Sockets from 127.0.0.1 that the test holds open; `ended` counts those the server ended. */
class Attack {
  readonly conns: Deno.Conn[] = [];
  ended = 0;
  /** Answers the server wrote before ending a socket (a refusal is a 503). */
  readonly statuses: number[] = [];
  /** Sockets that could not even connect (the kernel's backlog was full). */
  failed = 0;

  /** Opens `count` sockets to `port`; each sends `request` (a partial or a whole one). */
  static async open(port: number, count: number, request: string) {
    const attack = new Attack();
    for (let i = 0; i < count; i++) {
      let conn: Deno.Conn;
      try {
        conn = await Deno.connect({ hostname: "127.0.0.1", port });
        await conn.write(encoder.encode(request));
      } catch {
        attack.failed++;
        continue;
      }
      attack.conns.push(conn);
      attack.#watch(conn);
    }
    return attack;
  }

  async #watch(conn: Deno.Conn) {
    const buf = new Uint8Array(4096);
    let text = "";
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      // A kept-alive answer: record it and keep holding the socket.
      if (status && /\r\n\r\n/.test(text)) {
        this.statuses.push(Number(status));
        text = "";
      }
    }
    this.ended++;
  }

  close() {
    for (const conn of this.conns) {
      try {
        conn.close();
      } catch { /* ended */ }
    }
  }
}

/**
 * What a socket that sends nothing reads from 127.0.0.1 (a refusal is read
 * whole only when nothing was sent: a refused socket's unread request makes
 * the close a reset).
 */
async function readSilently(port: number): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const guard = setTimeout(() => conn.close(), 20_000);
  const buf = new Uint8Array(4096);
  let text = "";
  while (true) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    text += new TextDecoder().decode(buf.subarray(0, n));
  }
  clearTimeout(guard);
  try {
    conn.close();
  } catch { /* closed by the guard */ }
  return text;
}

/** A socket that sends nothing is refused with the 503 (closed bare while refusals pile up, so it may take a try or two). */
async function assertRefusal(port: number) {
  let text = "";
  await waitFor(
    async () => {
      text = await readSilently(port);
      return /^HTTP\/1\.1 503/.test(text);
    },
    "a refused connection to read a 503",
    30_000,
  );
  assert.match(text, /retry-after: 5/i);
  assert.match(text, /"code":"too_many_connections"/);
}

/** A well-behaved client on another address (::1): reads one channel, publishes to it. */
async function openStream(port: number, channel: string) {
  const base = `http://[::1]:${port}`;
  const res = await fetch(`${base}/api/channels/${channel}/events`);
  assert.equal(res.status, 200);
  const sse = new SseReader(res.body!);
  let sent = 0;
  return {
    async publishAndReceive(count: number) {
      const first = sent + 1;
      for (let i = 0; i < count; i++) {
        const r = await fetch(`${base}/api/channels/${channel}/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ data: { n: ++sent } }),
        });
        assert.equal(r.status, 201, await r.text());
      }
      const events = await sse.events(count, 20_000);
      assert.deepEqual(
        events.map((e) => JSON.parse(e.data).n),
        Array.from({ length: count }, (_, i) => first + i),
        "the stream got every message, in order",
      );
    },
    close: () => sse.cancel(),
  };
}

async function assertAnswers(url: string, what: string) {
  const res = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  assert.equal(res.status, 200, what);
  await res.body?.cancel();
}

const LOW_LIMIT = ["prlimit", "--nofile=256:256", "--"];
const OPEN_RATE_LIMITS = {
  HERALD_BROKER: "memory",
  HOSTNAME: "::",
  HERALD_PUBLISH_RATE: "1000",
  HERALD_PUBLISH_BURST: "1000",
  HERALD_PUBLISH_RATE_IP: "1000",
  HERALD_PUBLISH_BURST_IP: "1000",
};
const HALF_OPEN = (port: number) =>
  `GET /about HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nX-Slow: `;
const KEEP_ALIVE = (port: number) =>
  `GET /about HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`;

Deno.test({
  name:
    "hostile load: 256 descriptors, 300 half-open and 300 idle sockets from one address; the per-address cap refuses the excess, others are served",
  ignore: !canLimit,
  async fn(t) {
    await using app = await startApp({
      wrapper: LOW_LIMIT,
      env: {
        ...OPEN_RATE_LIMITS,
        HERALD_MAX_CONNECTIONS_PER_IP: "48",
        // Long enough that every held socket below is still open when counted.
        HERALD_HEADERS_TIMEOUT_MS: "120000",
        HERALD_IDLE_TIMEOUT_MS: "120000",
      },
    });
    const { port } = app;
    const stream = await openStream(port, "steady");
    await stream.publishAndReceive(3);

    for (
      const [kind, request] of [
        ["half-open", HALF_OPEN(port)],
        ["idle keep-alive", KEEP_ALIVE(port)],
      ] as const
    ) {
      await t.step(`300 ${kind} sockets from 127.0.0.1`, async () => {
        const attack = await Attack.open(port, 300, request);
        try {
          // What other users notice: pages and streams keep working.
          await assertAnswers(`http://[::1]:${port}/about`, "/about from ::1");
          await stream.publishAndReceive(5);
          // The excess is refused at once: the server ends all but 48.
          await waitFor(
            () => attack.ended + attack.failed >= 300 - 48,
            "the excess sockets are refused",
            30_000,
          );
          await assertRefusal(port);
          if (kind === "idle keep-alive") {
            // The test's own kept-alive fetch socket may hold one of the 48.
            const served = () => attack.statuses.filter((s) => s === 200);
            await waitFor(
              () => served().length >= 47,
              `the allowed connections are served (${served().length})`,
            );
            assert.ok(served().length <= 48, "no more than 48 were served");
          }
        } finally {
          attack.close();
        }
        await waitFor(
          async () => {
            // Connection: close, so no kept-alive socket stays behind.
            const answer = await rawGet(port, "/about").catch(() => null);
            return answer?.status === 200;
          },
          "127.0.0.1 is served again once its sockets are gone",
          30_000,
        );
      });
    }
    await stream.close();
  },
});

Deno.test({
  name:
    "hostile load: 256 descriptors, 400 half-open sockets and no per-address cap: the process cap holds, the server keeps listening and times the sockets out",
  ignore: !canLimit,
  async fn() {
    await using app = await startApp({
      wrapper: LOW_LIMIT,
      env: {
        ...OPEN_RATE_LIMITS,
        HERALD_MAX_CONNECTIONS_PER_IP: "0",
        HERALD_HEADERS_TIMEOUT_MS: "5000",
      },
    });
    const { port } = app;
    const stream = await openStream(port, "steady");
    await stream.publishAndReceive(3);
    const attack = await Attack.open(port, 400, HALF_OPEN(port));
    try {
      // The process cap (256 descriptors less a reserve) is full: the rest is refused.
      await assertRefusal(port);
      // Without a cap the accept loop met EMFILE and never listened again.
      // Every socket ends: refused at once, or timed out for its headers.
      await waitFor(
        () => attack.ended + attack.failed === 400,
        "the server ends every half-open socket by itself",
        60_000,
      );
    } finally {
      attack.close();
    }
    await assertAnswers(`http://127.0.0.1:${port}/about`, "/about afterwards");
    await stream.publishAndReceive(5);
    await stream.close();
  },
});

Deno.test({
  name:
    "hostile load: the server runs with its soft descriptor limit raised to the hard one",
  ignore: !canLimit,
  async fn() {
    await using app = await startApp({
      wrapper: ["prlimit", "--nofile=256:4096", "--"],
      env: { HERALD_BROKER: "memory" },
    });
    const limits = await Deno.readTextFile(`/proc/${app.pid}/limits`);
    const [soft, hard] = /Max open files\s+(\d+)\s+(\d+)/.exec(limits)!
      .slice(1).map(Number);
    assert.equal(hard, 4096);
    assert.equal(soft, 4096, "the soft limit was raised at start");
  },
});

Deno.test({
  name:
    "hostile load: with HERALD_LISTENER=deno-serve, Deno.serve's accept loop ends on EMFILE and comes back; the open stream loses nothing",
  ignore: !canLimit,
  async fn() {
    await using app = await startApp({
      wrapper: LOW_LIMIT,
      env: { ...OPEN_RATE_LIMITS, HERALD_LISTENER: "deno-serve" },
    });
    const { port } = app;
    const stream = await openStream(port, "steady");
    await stream.publishAndReceive(3);
    const attack = await Attack.open(port, 300, HALF_OPEN(port));
    try {
      await waitFor(
        () => /stopped accepting; listening again/.test(app.output()),
        "Deno.serve's accept loop to end on EMFILE",
      );
    } finally {
      attack.close();
    }
    await waitFor(
      async () =>
        (await rawGet(port, "/about").catch(() => null))?.status === 200,
      "the listener to come back",
      30_000,
    );
    await stream.publishAndReceive(5);
    await stream.close();
  },
});

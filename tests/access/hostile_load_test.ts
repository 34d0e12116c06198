/**
 * Hostile load against a real Herald process: bodies that are too large or
 * never end, on every route that takes one, answered early with a JSON error
 * while the server's memory stays flat.
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";

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
      "a chunked 32 MB form is cut off: the server stops reading",
      async () => {
        const total = 32 * 1024 * 1024;
        const answer = await postChunked(port, "/notifications", {
          contentType: FORM,
          first: "kind=info&to=everyone&message=",
          total,
        });
        assertJsonError(answer, 413, "32 MB chunked form");
        // Loopback buffers hold a few MB; the rest is never taken.
        assert.ok(answer.sent < total, "the server read the whole body");
      },
    );

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

    await t.step("the server still answers after all of it", async () => {
      const res = await fetch(`${app.url}/about`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
    });
  },
});

/**
 * `start()` as a real process: the fixture app's main.ts listens on PORT,
 * prints its URL, serves, and exits cleanly on SIGTERM.
 * @module
 */
import assert from "node:assert/strict";
import { startServer } from "../../_support/server.ts";

Deno.test("start: listens on PORT, prints the URL, stops on SIGTERM with exit code 0", async () => {
  const server = await startServer({
    entry: "main.ts",
    cwd: new URL("../../fixtures/fresh_app/", import.meta.url).pathname,
    readyPath: "/hello.txt",
  });
  try {
    const res = await fetch(`${server.url}/blog/new`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /static beats param/);
    assert.match(
      server.output(),
      new RegExp(`http://localhost:${server.port}/`),
    );
  } finally {
    await server.stop();
  }
  const status = await server.process.status;
  assert.equal(status.code, 0, server.output());
  assert.equal(status.signal, null, "exited by itself, not killed");
});

Deno.test("start: SIGTERM with a stream still open still exits by itself", async () => {
  const server = await startServer({
    entry: "main.ts",
    cwd: new URL("../../fixtures/fresh_app/", import.meta.url).pathname,
    readyPath: "/hello.txt",
  });
  const aborter = new AbortController();
  try {
    const res = await fetch(`${server.url}/api/stream`, {
      signal: aborter.signal,
    });
    const reader = res.body!.getReader();
    assert.equal(
      new TextDecoder().decode((await reader.read()).value),
      "open\n",
    );
    server.process.kill("SIGTERM");
    const status = await server.process.status;
    assert.equal(status.code, 0, server.output());
    assert.equal(
      status.signal,
      null,
      "exited after the grace period, not killed",
    );
    await reader.cancel().catch(() => {});
  } finally {
    aborter.abort();
    await server.stop();
  }
});

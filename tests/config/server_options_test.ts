/** The server's connection and body settings, read from the environment. */
import assert from "node:assert/strict";
import { serverOptionsFromEnv } from "../../lib/http/server_options.ts";

const input = { apiBodyBytes: 65_536 };

Deno.test("server options: defaults, and the body limit per route kind", () => {
  const { connections, body } = serverOptionsFromEnv({}, input);
  assert.deepEqual(connections, {
    maxConnections: undefined, // from the open-file limit
    maxConnectionsPerAddress: undefined,
    headersTimeoutMs: 10_000,
    idleTimeoutMs: 30_000,
    mode: "accept-loop",
  });
  const limit = body!.maxBytes as (req: Request, url: URL) => number;
  const at = (path: string) =>
    limit(new Request("http://x" + path), new URL("http://x" + path));
  assert.equal(at("/api/channels/a/messages"), 65_536);
  assert.equal(at("/notifications"), 16 * 1024);
  assert.equal(body!.timeoutMs, 10_000);
});

Deno.test("server options: set values, 0 switches a cap off, a proxy means no per-address cap", () => {
  const { connections } = serverOptionsFromEnv({
    HERALD_MAX_CONNECTIONS: "500",
    HERALD_MAX_CONNECTIONS_PER_IP: "0",
    HERALD_LISTENER: "deno-serve",
  }, input);
  assert.equal(connections!.maxConnections, 500);
  assert.equal(connections!.maxConnectionsPerAddress, 0);
  assert.equal(connections!.mode, "deno-serve");
  const proxied = serverOptionsFromEnv({}, { ...input, trustProxy: 1 });
  assert.equal(proxied.connections!.maxConnectionsPerAddress, 0);
});

Deno.test("server options: a bad value names its variable", () => {
  for (
    const [name, value] of [
      ["HERALD_MAX_CONNECTIONS", "-1"],
      ["HERALD_HEADERS_TIMEOUT_MS", "soon"],
      ["HERALD_LISTENER", "hyper"],
      ["HERALD_BODY_TIMEOUT_MS", "0"],
    ]
  ) {
    assert.throws(
      () => serverOptionsFromEnv({ [name]: value }, input),
      new RegExp(name),
    );
  }
});

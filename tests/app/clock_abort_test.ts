/** Clients that drop /api/clock between two ticks never take the server down (a timer wrote to an ended body and threw). */
import assert from "node:assert/strict";
import { startServer } from "../_support/server.ts";

const encoder = new TextEncoder();

Deno.test("clock streams dropped mid-run leave the server serving", async () => {
  await using server = await startServer({
    entry: "main.ts",
    readyPath: "/about",
    env: {
      HERALD_BROKER: "memory",
      HERALD_FLIGHTS_SIMULATOR: "off",
      HERALD_MAX_STREAMS_PER_IP: "10000",
    },
  });
  // Connections closed at varying points of a run: some between two ticks.
  for (let round = 0; round < 40; round++) {
    const conns: Deno.Conn[] = [];
    for (let i = 0; i < 20; i++) {
      const conn = await Deno.connect({
        hostname: "127.0.0.1",
        port: server.port,
      });
      await conn.write(encoder.encode(
        "GET /api/clock?duration=3 HTTP/1.1\r\nhost: localhost\r\n\r\n",
      ));
      conns.push(conn);
    }
    await new Promise((r) => setTimeout(r, 50 + round * 20));
    for (const conn of conns) conn.close();
  }
  // Past the next ticks of every dropped run.
  await new Promise((r) => setTimeout(r, 2_500));
  const res = await fetch(`${server.url}/about`);
  await res.body?.cancel();
  assert.equal(res.status, 200);
  assert.doesNotMatch(server.output(), /Uncaught/);
});

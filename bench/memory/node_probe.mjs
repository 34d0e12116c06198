/**
 * Node.js counterpart of probe_server.ts (same stdin/stdout protocol), run
 * with the system `node`: `node-sse` is an `http` SSE server, `node-tcp-accept`
 * a bare `net` server that accepts and holds connections.
 *
 * @module
 */
import { createServer } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { createInterface } from "node:readline";

const variant = process.argv[2] ?? "node-sse";
const responses = new Set();
const held = [];
let accepted = 0;

const server = variant === "node-tcp-accept"
  ? createTcpServer((socket) => {
    accepted++;
    held.push(socket);
  })
  : createServer((_req, res) => {
    accepted++;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
    });
    res.write("retry: 1000\n\n");
    responses.add(res);
    res.on("close", () => responses.delete(res));
  });
server.listen(0, "127.0.0.1", () => {
  console.log(`listening ${server.address().port}`);
});

createInterface({ input: process.stdin }).on("line", (line) => {
  const [cmd, arg] = line.trim().split(" ");
  if (cmd === "send") {
    for (let i = 0; i < Number(arg); i++) {
      const bytes = Buffer.from(`data: {"i":${i}}\n\n`);
      for (const res of responses) res.write(bytes);
    }
  }
  globalThis.gc?.();
  console.log(JSON.stringify({ ...process.memoryUsage(), accepted }));
}).on("close", () => process.exit(0));

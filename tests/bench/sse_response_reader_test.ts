import assert from "node:assert/strict";
import { SseResponseReader } from "../../bench/lib/sse_response_reader.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function chunked(pieces: string[]): string {
  return pieces.map((p) =>
    `${encoder.encode(p).length.toString(16)}\r\n${p}\r\n`
  ).join("") + "0\r\n\r\n";
}

/** Feeds `response` cut into pieces of `size` bytes; returns the data lines seen. */
function read(response: string, size: number) {
  const lines: string[] = [];
  const reader = new SseResponseReader((bytes, start, end) => {
    lines.push(decoder.decode(bytes.subarray(start, end)));
  });
  const bytes = encoder.encode(response);
  for (let i = 0; i < bytes.length; i += size) {
    reader.push(bytes.slice(i, i + size));
  }
  return { lines, reader };
}

const HEAD = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n" +
  "Transfer-Encoding: chunked\r\n\r\n";
const BODY = [
  "retry: 2000\n\n",
  'id: 1\ndata: {"b":1,"i":1,"t":2.5}\n\n',
  ": heartbeat\n\n",
  // One event split over two chunks, CRLF line ends, no space after the colon.
  'id: 2\r\ndata:{"b":1,',
  '"i":2}\r\n\r\n',
];

Deno.test("SseResponseReader reads data lines of a chunked response however the bytes are cut", () => {
  for (const size of [1, 2, 3, 7, 16, 1000]) {
    const { lines, reader } = read(HEAD + chunked(BODY), size);
    assert.deepEqual(reader.status, 200, `cut every ${size} bytes`);
    assert.deepEqual(lines, ['{"b":1,"i":1,"t":2.5}', '{"b":1,"i":2}']);
    assert.deepEqual(reader.ended, true);
  }
});

Deno.test("SseResponseReader ignores chunk extensions and reads unchunked bodies", () => {
  const withExtension = HEAD + "c;name=abc\r\ndata: hello\n\r\n0\r\n\r\n";
  assert.deepEqual(read(withExtension, 5).lines, ["hello"]);

  const plain = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n\r\n" +
    "data: one\n\ndata: two\n\n";
  const { lines, reader } = read(plain, 4);
  assert.deepEqual(lines, ["one", "two"]);
  assert.deepEqual(reader.ended, false);
});

Deno.test("SseResponseReader reports a non-200 status", () => {
  const { reader, lines } = read(
    "HTTP/1.1 429 Too Many Requests\r\ncontent-length: 2\r\n\r\n{}",
    10,
  );
  assert.deepEqual(reader.status, 429);
  assert.deepEqual(lines, []);
});

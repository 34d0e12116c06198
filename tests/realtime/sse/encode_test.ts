import {
  deepStrictEqual as assertEquals,
  throws as assertThrows,
} from "node:assert/strict";
import {
  encodeComment,
  encodeEvent,
  encodeRetry,
} from "../../../lib/realtime/sse/encode.ts";
import { SSE_HEADERS, sseHeaders } from "../../../lib/realtime/sse/headers.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("encodeEvent writes id, event and data, ending with a blank line", () => {
  assertEquals(
    text(encodeEvent({ id: "0001", event: "chat", data: '{"a":1}' })),
    'id: 0001\nevent: chat\ndata: {"a":1}\n\n',
  );
});

Deno.test("encodeEvent splits data on CRLF, CR and LF into several data lines", () => {
  assertEquals(
    text(encodeEvent({ data: "one\r\ntwo\rthree\nfour" })),
    "data: one\ndata: two\ndata: three\ndata: four\n\n",
  );
  assertEquals(
    text(encodeEvent({ data: "a\n\nb\n" })),
    "data: a\ndata:\ndata: b\ndata:\n\n",
  );
  assertEquals(text(encodeEvent({ data: "" })), "data:\n\n");
});

Deno.test("encodeEvent keeps leading spaces of data (one space follows the colon)", () => {
  assertEquals(text(encodeEvent({ data: "  x" })), "data:   x\n\n");
});

Deno.test("encodeEvent refuses CR, LF and NUL in id and event", () => {
  for (const bad of ["a\nb", "a\rb", "a\0b", "a\r\nb"]) {
    assertThrows(() => encodeEvent({ id: bad, data: "x" }), TypeError);
    assertThrows(() => encodeEvent({ event: bad, data: "x" }), TypeError);
  }
});

Deno.test("retry is written as digits only", () => {
  assertEquals(text(encodeRetry(2000)), "retry: 2000\n\n");
  assertEquals(
    text(encodeEvent({ retry: 0, data: "x" })),
    "retry: 0\ndata: x\n\n",
  );
  for (const bad of [-1, 1.5, NaN, Infinity]) {
    assertThrows(() => encodeRetry(bad), TypeError);
  }
});

Deno.test("comments start with a colon, one per line, and end with a blank line", () => {
  assertEquals(text(encodeComment("heartbeat")), ": heartbeat\n\n");
  assertEquals(text(encodeComment("a\nb")), ": a\n: b\n\n");
  assertEquals(text(encodeComment()), ":\n\n");
});

Deno.test("stream headers are the ones of ARCHITECTURE.md (The wire)", () => {
  const headers = sseHeaders();
  assertEquals(
    headers.get("content-type"),
    "text/event-stream; charset=utf-8",
  );
  assertEquals(headers.get("cache-control"), "no-cache, no-transform");
  assertEquals(headers.get("x-accel-buffering"), "no");
  assertEquals(Object.keys(SSE_HEADERS).length, 3);
});

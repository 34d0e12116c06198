import assert from "node:assert/strict";
import {
  benchPayload,
  type PayloadFields,
  readPayload,
} from "../../bench/lib/payload.ts";

const encoder = new TextEncoder();

function parse(text: string): PayloadFields | null {
  const bytes = encoder.encode(text);
  const out = { step: -1, seq: -1, time: -1 };
  return readPayload(bytes, 0, bytes.length, out) ? out : null;
}

Deno.test("readPayload reads back what benchPayload publishes", () => {
  const payload = benchPayload(3, 1234);
  const fields = parse(JSON.stringify(payload))!;
  assert.deepEqual(fields.step, 3);
  assert.deepEqual(fields.seq, 1234);
  // Decimal parsing may differ from JSON.parse in the last bits only.
  assert.deepEqual(Math.abs(fields.time - payload.t) < 1e-3, true);
});

Deno.test("readPayload accepts reordered keys, spaces and negatives, and refuses other data", () => {
  assert.deepEqual(parse('{"t": -1.5, "i": 7, "b": 0}'), {
    step: 0,
    seq: 7,
    time: -1.5,
  });
  assert.deepEqual(parse('{"b":1,"i":2}'), null);
  assert.deepEqual(parse('"heartbeat"'), null);
});

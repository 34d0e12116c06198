/**
 * The benchmark's message payload: `{"b": step, "i": sequence, "t": publish
 * time}`, with the time as `performance.timeOrigin + performance.now()` (epoch
 * ms, comparable between processes on one machine). Receivers read it straight
 * from the bytes of a `data:` line, without decoding or JSON.parse, because a
 * client process reads hundreds of thousands of them per second.
 *
 * @example
 * ```ts
 * const bytes = new TextEncoder().encode(JSON.stringify(benchPayload(1, 7)));
 * const fields = { step: 0, seq: 0, time: 0 };
 * readPayload(bytes, 0, bytes.length, fields); // true; fields.step === 1
 * ```
 * @module
 */

/** What one published benchmark message carries. */
export interface BenchPayload {
  /** Step number; 0 marks the probes sent while waiting for subscribers. */
  b: number;
  /** Publish sequence, increasing over the whole run. */
  i: number;
  /** Publish time, epoch milliseconds with sub-millisecond precision. */
  t: number;
}

/** Epoch milliseconds with sub-millisecond precision. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

export function benchPayload(step: number, seq: number): BenchPayload {
  return { b: step, i: seq, t: now() };
}

/** Fields read back from a `data:` line; reused between calls to avoid garbage. */
export interface PayloadFields {
  step: number;
  seq: number;
  time: number;
}

const SPACE = 0x20,
  QUOTE = 0x22,
  COLON = 0x3a,
  MINUS = 0x2d,
  DOT = 0x2e,
  ZERO = 0x30;

/** Parses the plain decimal number (no exponent) that starts at `pos`. */
function readNumber(bytes: Uint8Array, pos: number, end: number): number {
  while (bytes[pos] === SPACE) pos++;
  let sign = 1;
  if (bytes[pos] === MINUS) {
    sign = -1;
    pos++;
  }
  let value = 0;
  while (pos < end && bytes[pos] - ZERO >= 0 && bytes[pos] - ZERO <= 9) {
    value = value * 10 + (bytes[pos++] - ZERO);
  }
  if (bytes[pos] === DOT) {
    let scale = 0.1;
    pos++;
    while (pos < end && bytes[pos] - ZERO >= 0 && bytes[pos] - ZERO <= 9) {
      value += (bytes[pos++] - ZERO) * scale;
      scale /= 10;
    }
  }
  return sign * value;
}

/**
 * Reads `b`, `i` and `t` from the JSON object in `bytes[start, end)` into
 * `out`. True when all three were found (other data lines return false).
 */
export function readPayload(
  bytes: Uint8Array,
  start: number,
  end: number,
  out: PayloadFields,
): boolean {
  let found = 0;
  // Looks for `"k":` with a one-letter key k.
  for (let p = start; p + 3 < end; p++) {
    if (
      bytes[p] !== QUOTE || bytes[p + 2] !== QUOTE || bytes[p + 3] !== COLON
    ) continue;
    const key = bytes[p + 1];
    if (key === 0x62) out.step = readNumber(bytes, p + 4, end), found |= 1;
    else if (key === 0x69) out.seq = readNumber(bytes, p + 4, end), found |= 2;
    else if (key === 0x74) out.time = readNumber(bytes, p + 4, end), found |= 4;
    p += 3;
  }
  return found === 7;
}

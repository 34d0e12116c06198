/**
 * Reads an HTTP/1.1 SSE response from raw socket bytes, as cheaply as a
 * benchmark client needs: the status line, chunked transfer decoding, and the
 * value of every `data:` line (handed over as a byte range, not a string).
 * Event dispatch, `id:` and `event:` are ignored: the benchmark counts data.
 *
 * @example
 * ```ts
 * const reader = new SseResponseReader((bytes, start, end) => {});
 * reader.push(new TextEncoder().encode("HTTP/1.1 200 OK\r\n\r\ndata: 1\n\n"));
 * reader.status; // 200
 * ```
 * @module
 */

/** Called with the value of a `data:` line: `bytes[start, end)`. */
export type DataLineHandler = (
  bytes: Uint8Array,
  start: number,
  end: number,
) => void;

const LF = 0x0a, CR = 0x0d;
const DATA = [0x64, 0x61, 0x74, 0x61, 0x3a]; // "data:"
const HEAD_END = "\r\n\r\n";

const enum Chunk {
  Size,
  Data,
  DataEnd,
  Done,
}

export class SseResponseReader {
  /** HTTP status, once the response head has arrived. */
  status: number | null = null;
  /** True after the terminating zero-size chunk. */
  ended = false;
  #head = "";
  #chunked = false;
  #chunkState = Chunk.Size;
  #chunkLeft = 0;
  #sizeDigitsDone = false;
  #partialLine: Uint8Array | null = null;
  #onData: DataLineHandler;

  constructor(onData: DataLineHandler) {
    this.#onData = onData;
  }

  push(bytes: Uint8Array): void {
    let from = 0;
    if (this.status === null) {
      // Heads are short and arrive once; a string is fine here.
      this.#head += new TextDecoder("latin1").decode(bytes);
      const endOfHead = this.#head.indexOf(HEAD_END);
      if (endOfHead < 0) return;
      const head = this.#head.slice(0, endOfHead);
      this.status = Number(head.slice(9, 12));
      this.#chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
      from = bytes.length - (this.#head.length - endOfHead - HEAD_END.length);
      this.#head = "";
    }
    if (this.#chunked) this.#dechunk(bytes, from, bytes.length);
    else this.#lines(bytes, from, bytes.length);
  }

  #dechunk(bytes: Uint8Array, from: number, to: number): void {
    while (from < to && this.#chunkState !== Chunk.Done) {
      if (this.#chunkState === Chunk.Size) {
        const c = bytes[from++];
        if (c === LF) {
          if (this.#chunkLeft === 0) {
            this.#chunkState = Chunk.Done;
            this.ended = true;
          } else this.#chunkState = Chunk.Data;
          this.#sizeDigitsDone = false;
        } else if (!this.#sizeDigitsDone) {
          const digit = hexValue(c);
          // The size ends at the first non-hex byte (';ext' or CR).
          if (digit >= 0) this.#chunkLeft = this.#chunkLeft * 16 + digit;
          else this.#sizeDigitsDone = true;
        }
      } else if (this.#chunkState === Chunk.Data) {
        const n = Math.min(this.#chunkLeft, to - from);
        this.#lines(bytes, from, from + n);
        from += n;
        this.#chunkLeft -= n;
        if (this.#chunkLeft === 0) this.#chunkState = Chunk.DataEnd;
      } else {
        // The CRLF after a chunk's data.
        if (bytes[from++] === LF) this.#chunkState = Chunk.Size;
      }
    }
  }

  #lines(bytes: Uint8Array, from: number, to: number): void {
    while (from < to) {
      const lf = bytes.indexOf(LF, from);
      if (lf < 0 || lf >= to) {
        this.#keepPartial(bytes.subarray(from, to));
        return;
      }
      if (this.#partialLine) {
        const line = concat(this.#partialLine, bytes.subarray(from, lf));
        this.#partialLine = null;
        this.#line(line, 0, line.length);
      } else {
        this.#line(bytes, from, lf);
      }
      from = lf + 1;
    }
  }

  #keepPartial(piece: Uint8Array): void {
    this.#partialLine = this.#partialLine
      ? concat(this.#partialLine, piece)
      : piece.slice();
  }

  #line(bytes: Uint8Array, start: number, end: number): void {
    if (end > start && bytes[end - 1] === CR) end--;
    if (end - start < DATA.length) return;
    for (let k = 0; k < DATA.length; k++) {
      if (bytes[start + k] !== DATA[k]) return;
    }
    let value = start + DATA.length;
    if (bytes[value] === 0x20) value++;
    this.#onData(bytes, value, end);
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

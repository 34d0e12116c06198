/**
 * Publishes benchmark payloads in a closed loop: P keep-alive HTTP/1.1
 * connections, each with one `POST` in flight, the next sent as soon as the
 * previous answer arrived — a backend publishing over a few connections, whose
 * rate is whatever the server's publish round trip allows under load.
 *
 * Raw `Deno.connect` sockets, so there are exactly P connections (`fetch`
 * pools its connections as it likes) and no client-side pooling or queueing
 * adds to the round trip.
 *
 * @example
 * ```ts
 * const loop = await ClosedLoopPublisher.connect(url, 4, () => ++seq);
 * const result = await loop.run({ step: 1, durationMs: 5000 });
 * loop.close();
 * ```
 * @module
 */
import { LatencyHistogram } from "./latency_histogram.ts";
import { benchPayload, now } from "./payload.ts";
import type { PublishResult } from "./publisher.ts";

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const HEAD_END = "\r\n\r\n";

/** Reads one HTTP/1.1 response after another from a keep-alive socket. */
class ResponseReader {
  #conn: Deno.TcpConn;
  #buf = new Uint8Array(16 * 1024);
  #pending = "";

  constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  async #more(): Promise<void> {
    const n = await this.#conn.read(this.#buf);
    if (n === null) throw new Error("connection closed by the server");
    this.#pending += latin1.decode(this.#buf.subarray(0, n));
  }

  /** The status of the next response, once its body has been read whole. */
  async next(): Promise<number> {
    let headEnd;
    while ((headEnd = this.#pending.indexOf(HEAD_END)) < 0) await this.#more();
    const head = this.#pending.slice(0, headEnd);
    const status = Number(head.slice(9, 12));
    let rest = this.#pending.slice(headEnd + HEAD_END.length);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length) {
      const size = Number(length[1]);
      while (rest.length < size) {
        await this.#more();
        rest = this.#pending.slice(headEnd + HEAD_END.length);
      }
      this.#pending = rest.slice(size);
    } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
      // Small JSON answers: wait for the terminating zero-size chunk.
      let end;
      while (
        (end = rest.indexOf("\r\n0\r\n\r\n")) < 0 &&
        !rest.startsWith("0\r\n\r\n")
      ) {
        await this.#more();
        rest = this.#pending.slice(headEnd + HEAD_END.length);
      }
      const cut = end < 0 ? 5 : end + 7;
      this.#pending = rest.slice(cut);
    } else {
      this.#pending = rest;
    }
    return status;
  }
}

export interface ClosedLoopRun {
  step: number;
  durationMs: number;
}

export class ClosedLoopPublisher {
  #conns: Deno.TcpConn[];
  #url: URL;
  #nextSeq: () => number;

  private constructor(url: URL, conns: Deno.TcpConn[], nextSeq: () => number) {
    this.#url = url;
    this.#conns = conns;
    this.#nextSeq = nextSeq;
  }

  /** Opens `connections` sockets to the publish URL; `nextSeq` numbers the messages (shared with the probes). */
  static async connect(
    url: string,
    connections: number,
    nextSeq: () => number,
  ): Promise<ClosedLoopPublisher> {
    const target = new URL(url);
    const conns = await Promise.all(
      Array.from(
        { length: connections },
        () =>
          Deno.connect({
            hostname: target.hostname,
            port: Number(target.port),
          }),
      ),
    );
    for (const conn of conns) conn.setNoDelay(true);
    return new ClosedLoopPublisher(target, conns, nextSeq);
  }

  get connections(): number {
    return this.#conns.length;
  }

  #request(step: number): Uint8Array {
    const body = JSON.stringify({
      data: benchPayload(step, this.#nextSeq()),
    });
    return encoder.encode(
      `POST ${this.#url.pathname} HTTP/1.1\r\nHost: ${this.#url.host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
  }

  /** Every connection publishes back to back until `durationMs` has passed. */
  async run({ step, durationMs }: ClosedLoopRun): Promise<PublishResult> {
    const result: PublishResult = {
      published: 0,
      failed: 0,
      errors: [],
      roundTrips: new LatencyHistogram(),
      startedAt: now(),
      endedAt: 0,
    };
    const stopAt = performance.now() + durationMs;
    await Promise.all(this.#conns.map(async (conn) => {
      const responses = new ResponseReader(conn);
      try {
        while (performance.now() < stopAt) {
          const sentAt = performance.now();
          await conn.write(this.#request(step));
          const status = await responses.next();
          if (status >= 200 && status < 300) {
            result.published++;
            result.roundTrips.record(performance.now() - sentAt);
          } else {
            result.failed++;
            if (result.errors.length < 3) {
              result.errors.push(`status ${status}`);
            }
          }
        }
      } catch (err) {
        result.failed++;
        if (result.errors.length < 3) result.errors.push(String(err));
      }
    }));
    result.endedAt = now();
    return result;
  }

  close(): void {
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* already closed */ }
    }
  }
}

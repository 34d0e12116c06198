/**
 * HTTP/1.1 over raw sockets from a chosen loopback source address
 * (`node:net`'s `localAddress`), so the soak's attackers are other addresses
 * than its well-behaved clients, and can send what `fetch` refuses to:
 * unfinished heads, endless chunked bodies, hostile headers, sockets that
 * never read.
 *
 * @example
 * ```ts
 * const answer = await rawRequest({ port, from: "127.0.0.2", head: "GET /about HTTP/1.1\r\nHost: x\r\n\r\n" });
 * answer.status; // 200, or 0 when the server closed without answering
 * ```
 * @module
 */
import net from "node:net";
import { Buffer } from "node:buffer";

export interface RawSocket {
  socket: net.Socket;
  /** Resolves when the socket is closed (by either side). */
  closed: Promise<void>;
  /** Whether the server closed or reset it before we did. */
  closedByPeer(): boolean;
  /** Status of the first response head received, 0 before one. */
  status(): number;
  /** Everything received so far, as latin1 text (up to `keepBytes`). */
  text(): string;
  close(): void;
}

export interface ConnectOptions {
  port: number;
  /** Loopback source address, e.g. 127.0.0.2. */
  from: string;
  /** Never read from the socket (the kernel buffers fill, then the server's). */
  paused?: boolean;
  /** Received bytes kept for {@link RawSocket.text}; default 64 KiB. */
  keepBytes?: number;
  /** Connect timeout, ms; default 5 s. */
  timeoutMs?: number;
}

/** Opens a TCP connection to 127.0.0.1:`port` from `from`; rejects when refused or not accepted in time. */
export function connect(opts: ConnectOptions): Promise<RawSocket> {
  const keep = opts.keepBytes ?? 64 * 1024;
  return new Promise((resolve, reject) => {
    const socket = net.connect({
      host: "127.0.0.1",
      port: opts.port,
      localAddress: opts.from,
    });
    let received = "";
    let status = 0;
    let mine = false;
    let peer = false;
    let done: () => void;
    const closed = new Promise<void>((r) => done = r);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("connect timeout"));
    }, opts.timeoutMs ?? 5000);
    socket.on("data", (chunk: Buffer) => {
      if (received.length < keep) {
        received += chunk.toString("latin1").slice(0, keep - received.length);
      }
      if (status === 0) {
        const m = /^HTTP\/1\.[01] (\d{3})/.exec(received);
        if (m) status = Number(m[1]);
      }
    });
    socket.on("end", () => {
      if (!mine) peer = true;
      socket.destroy();
    });
    socket.on("error", (err: Error) => {
      if (!mine) peer = true;
      clearTimeout(timer);
      reject(err);
    });
    socket.on("close", () => {
      clearTimeout(timer);
      done();
    });
    socket.on("connect", () => {
      clearTimeout(timer);
      if (opts.paused) socket.pause();
      resolve({
        socket,
        closed,
        closedByPeer: () => peer,
        status: () => status,
        text: () => received,
        close() {
          mine = true;
          socket.destroy();
        },
      });
    });
  });
}

/** Writes `data`; false when the socket is gone (the server closed it). */
export function write(
  raw: RawSocket,
  data: string | Uint8Array,
): Promise<boolean> {
  if (raw.socket.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    try {
      raw.socket.write(
        typeof data === "string" ? Buffer.from(data, "latin1") : data,
        (err?: Error | null) => resolve(!err),
      );
    } catch {
      resolve(false);
    }
  });
}

export interface RawAnswer {
  /** The response status; 0 when the server closed (or refused) without one. */
  status: number;
  /** The response head (status line and headers). */
  head: string;
  body: string;
  /** "refused" when the connection could not be made or was reset first. */
  error?: string;
}

/**
 * One request on its own connection (`Connection: close` is up to `head`):
 * sends `head` and `body`, reads until the answer is complete, the server
 * closes, or `timeoutMs` passes.
 */
export async function rawRequest(
  opts: {
    port: number;
    from: string;
    head: string;
    body?: string | Uint8Array;
    timeoutMs?: number;
  },
): Promise<RawAnswer> {
  let raw: RawSocket;
  try {
    raw = await connect({ port: opts.port, from: opts.from });
  } catch (err) {
    return { status: 0, head: "", body: "", error: errorName(err) };
  }
  const timer = setTimeout(() => raw.close(), opts.timeoutMs ?? 15_000);
  try {
    await write(raw, opts.head);
    if (opts.body !== undefined) await write(raw, opts.body);
    const complete = () => {
      const text = raw.text();
      const split = text.indexOf("\r\n\r\n");
      if (split < 0) return false;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, split));
      return length !== null &&
        text.length >= split + 4 + Number(length[1]);
    };
    while (!complete() && !raw.socket.destroyed) {
      await Promise.race([
        raw.closed,
        new Promise((r) => setTimeout(r, 20)),
      ]);
    }
    const text = raw.text();
    const split = text.indexOf("\r\n\r\n");
    return {
      status: raw.status(),
      head: split < 0 ? text : text.slice(0, split),
      body: split < 0 ? "" : text.slice(split + 4),
    };
  } finally {
    clearTimeout(timer);
    raw.close();
  }
}

/** A request head with the usual headers; `extra` lines are added verbatim. */
export function requestHead(
  method: string,
  path: string,
  port: number,
  extra: Record<string, string> = {},
): string {
  const lines = Object.entries({ connection: "close", ...extra })
    .map(([k, v]) => `${k}: ${v}\r\n`).join("");
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${lines}\r\n`;
}

/** A POST with a complete body (Content-Length). */
export function postRequest(
  path: string,
  port: number,
  contentType: string,
  body: string,
  extra: Record<string, string> = {},
): { head: string; body: Uint8Array } {
  const bytes = new TextEncoder().encode(body);
  return {
    head: requestHead("POST", path, port, {
      "content-type": contentType,
      "content-length": String(bytes.length),
      ...extra,
    }),
    body: bytes,
  };
}

function errorName(err: unknown): string {
  const code = (err as { code?: string })?.code;
  return code ?? (err as Error)?.message ?? String(err);
}

/**
 * Requests that `fetch` cannot make: raw HTTP/1.1 over TCP, for paths that
 * the URL parser would normalise (`/../x`, `/%2e%2e/x`) and bodies that end
 * before their `Content-Length`.
 *
 * @module
 */

export interface RawAnswer {
  /** Status code, or 0 when the server closed without answering. */
  status: number;
  head: string;
  body: string;
}

/** Sends `request` bytes as they are and reads until the server closes. */
export async function rawRequest(
  port: number,
  request: string | Uint8Array,
  opts: { closeWrite?: boolean; timeoutMs?: number } = {},
): Promise<RawAnswer> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const timer = setTimeout(() => {
    try {
      conn.close();
    } catch { /* closed */ }
  }, opts.timeoutMs ?? 10_000);
  let text = "";
  try {
    await conn.write(
      typeof request === "string" ? new TextEncoder().encode(request) : request,
    );
    if (opts.closeWrite) await conn.closeWrite();
    const buf = new Uint8Array(16 * 1024);
    const decoder = new TextDecoder();
    while (true) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      text += decoder.decode(buf.subarray(0, n), { stream: true });
    }
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed by the timer or the server */ }
  }
  const split = text.indexOf("\r\n\r\n");
  const head = split < 0 ? text : text.slice(0, split);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  return { status, head, body: split < 0 ? "" : text.slice(split + 4) };
}

/** A GET of `path` exactly as written, with `Connection: close`. */
export function rawGet(port: number, path: string): Promise<RawAnswer> {
  return rawRequest(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`,
  );
}

/**
 * The listener of `start()`: an accept loop that survives descriptor exhaustion, with
 * connection caps and header/idle timeouts (ARCHITECTURE.md, lib/fresh).
 *
 * @module
 */

export interface ConnectionLimits {
  /** Open connections of the process; 0 = none. Default: the descriptor limit less a reserve. */
  maxConnections?: number;
  /** Open connections from one address (IPv6: one /64); 0 = none. Default: 256, at most a quarter of `maxConnections`. */
  maxConnectionsPerAddress?: number;
  /** A connection must send a complete request head this soon after it opens, ms. */
  headersTimeoutMs?: number;
  /** A connection closes this long after its last request started, once no response is still running, ms. */
  idleTimeoutMs?: number;
  /**
   * `accept-loop` (default where available): every limit above. `deno-serve`:
   * plain `Deno.serve`, restarted when its accept loop ends; no caps or
   * header timeout, ~13 KB less per connection (for a proxy that enforces them).
   */
  mode?: "accept-loop" | "deno-serve";
}

export interface ListenOptions {
  port: number;
  hostname: string;
  /** `SO_REUSEPORT`: several listeners (workers) share the port. */
  reusePort?: boolean;
  signal?: AbortSignal;
  onListen?: (addr: Deno.NetAddr) => void;
  limits?: ConnectionLimits;
}

export interface Listening {
  /** Resolves once `signal` aborted and every connection has ended. */
  finished: Promise<void>;
  /** How the listener runs: its own accept loop, or `Deno.serve` restarted on failure. */
  mode: "accept-loop" | "deno-serve";
  /** The limits in force (defaults resolved). */
  limits: Required<Omit<ConnectionLimits, "mode">>;
  /** Connections open right now. */
  open(): number;
}

type Handler = (
  req: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/** Deno's per-connection server (`Deno[Deno.internal].serveHttpOnConnection`). */
type ServeOnConnection = (
  conn: Deno.Conn,
  signal: AbortSignal | undefined,
  handler: Handler,
  onError: (err: unknown) => Response,
  onListen: () => void,
) => { finished: Promise<void>; shutdown(): Promise<void> };

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const DEFAULT_PER_ADDRESS = 256;
/** Refusals written at once; beyond, a refused connection is just closed. */
const MAX_REFUSING = 32;
/** Without a known descriptor limit, no process cap: EMFILE is survived by backing off. */
const UNKNOWN_LIMIT = 0;

const REFUSAL = new TextEncoder().encode(
  "HTTP/1.1 503 Service Unavailable\r\n" +
    "content-type: application/json; charset=utf-8\r\n" +
    "retry-after: 5\r\nconnection: close\r\ncontent-length: 92\r\n\r\n" +
    '{"error":{"code":"too_many_connections","message":"too many open connections; retry later"}}',
);

/** How many descriptors the probe below opens at most (a million-file limit would take seconds). */
const PROBE_MAX = 65_536;

/**
 * The descriptors this process may open: the soft limit from
 * `/proc/self/limits` (readable with `--allow-all` only), else the count of
 * `/dev/null` opens that succeed before EMFILE (`--allow-read`; at most
 * {@link PROBE_MAX}, ~15 ms per 1,000), else null.
 */
export function openFileLimit(): number | null {
  return procLimit() ?? probeLimit();
}

function granted(path: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "read", path }).state ===
      "granted";
  } catch {
    return false;
  }
}

function procLimit(): number | null {
  try {
    const line = Deno.readTextFileSync("/proc/self/limits").split("\n")
      .find((l) => l.startsWith("Max open files"));
    const soft = line?.split(/\s+/)[3];
    return soft && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null; // not Linux, or not --allow-all
  }
}

function probeLimit(): number | null {
  if (!granted("/dev/null")) return null;
  const files: Deno.FsFile[] = [];
  try {
    while (files.length < PROBE_MAX) files.push(Deno.openSync("/dev/null"));
    return PROBE_MAX;
  } catch (err) {
    return (err as { code?: string }).code === "EMFILE" && files.length > 0
      ? files.length
      : null;
  } finally {
    for (const file of files) file.close();
  }
}

/** Fills in the defaults: the process cap leaves a reserve of descriptors for files, brokers and the runtime. */
export function resolveLimits(
  limits: ConnectionLimits = {},
  fileLimit: number | null = openFileLimit(),
): Required<Omit<ConnectionLimits, "mode">> {
  const maxConnections = limits.maxConnections ??
    (fileLimit
      ? Math.max(1, fileLimit - Math.max(64, Math.ceil(fileLimit / 10)))
      : UNKNOWN_LIMIT);
  const maxConnectionsPerAddress = limits.maxConnectionsPerAddress ??
    (maxConnections > 0
      ? Math.min(
        DEFAULT_PER_ADDRESS,
        Math.max(1, Math.floor(maxConnections / 4)),
      )
      : DEFAULT_PER_ADDRESS);
  return {
    maxConnections,
    maxConnectionsPerAddress,
    headersTimeoutMs: limits.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
    idleTimeoutMs: limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
  };
}

/** The key one address's connections are counted under: IPv4 as is, IPv6 by its /64. */
export function addressKey(hostname: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(hostname);
  if (mapped) return mapped[1];
  if (!hostname.includes(":")) return hostname;
  const [head, tail = ""] = hostname.toLowerCase().split("%")[0].split("::");
  const left = head ? head.split(":") : [];
  const right = hostname.includes("::") && tail ? tail.split(":") : [];
  const groups = hostname.includes("::")
    ? [
      ...left,
      ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
      ...right,
    ]
    : left;
  return groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":") +
    "::/64";
}

function internalServeOnConnection(): ServeOnConnection | null {
  const internal = (Deno as unknown as Record<symbol, unknown>)[
    (Deno as unknown as { internal: symbol }).internal
  ] as { serveHttpOnConnection?: ServeOnConnection } | undefined;
  return typeof internal?.serveHttpOnConnection === "function"
    ? internal.serveHttpOnConnection
    : null;
}

function platformChoosesAddress(): boolean {
  try {
    return Deno.env.get("DENO_SERVE_ADDRESS") !== undefined;
  } catch {
    return false;
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Logs a failure at most once a second (an accept storm must not flood the log). */
function throttledLog(): (message: string, err: unknown) => void {
  let last = 0;
  let skipped = 0;
  return (message, err) => {
    const now = Date.now();
    if (now - last < 1000) {
      skipped++;
      return;
    }
    console.error(
      `${message}: ${err instanceof Error ? err.message : err}` +
        (skipped ? ` (${skipped} more since the last report)` : ""),
    );
    last = now;
    skipped = 0;
  };
}

/**
 * Serves `handler` on `options.port`. Each connection goes to Deno's
 * `serveHttpOnConnection` (the internal `Deno.serve` is built from); where it
 * is missing, or the platform picks the socket (`DENO_SERVE_ADDRESS`: Deno
 * Deploy, `deno serve`), `Deno.serve` is used, restarted if its loop ends.
 */
export function listen(handler: Handler, options: ListenOptions): Listening {
  const limits = resolveLimits(options.limits);
  const serveOn = options.limits?.mode === "deno-serve"
    ? null
    : internalServeOnConnection();
  return serveOn && !platformChoosesAddress()
    ? acceptLoop(serveOn, handler, options, limits)
    : supervisedServe(handler, options, limits);
}

interface Connection {
  key: string;
  openedAt: number;
  /** When the newest request arrived; 0 before the first. */
  lastRequestAt: number;
  closing: boolean;
  server?: { shutdown(): Promise<void> };
  /** Settles when the connection has ended. */
  ended?: Promise<void>;
}

function acceptLoop(
  serveOn: ServeOnConnection,
  handler: Handler,
  { port, hostname, reusePort, signal, onListen }: ListenOptions,
  limits: Required<Omit<ConnectionLimits, "mode">>,
): Listening {
  const connections = new Set<Connection>();
  /** The process cap; lowered when `accept` still meets EMFILE below it. */
  let cap = limits.maxConnections;
  const perAddress = new Map<string, number>();
  const logAccept = throttledLog();
  const onError = (err: unknown) => {
    console.error("Error serving a request:", err);
    return new Response("Internal Server Error", { status: 500 });
  };
  let listener: Deno.Listener<Deno.TcpConn, Deno.NetAddr> | null = null;

  const bind = async (): Promise<boolean> => {
    for (let wait = 50; !signal?.aborted; wait = Math.min(wait * 2, 2000)) {
      try {
        listener = Deno.listen({ port, hostname, reusePort, transport: "tcp" });
        return true;
      } catch (err) {
        if (!listener) throw err; // cannot listen at all: do not start
        logAccept("cannot listen again yet", err);
        await delay(wait);
      }
    }
    return false;
  };

  // One sweep for all connections instead of a timer each.
  const sweepEvery = Math.max(
    100,
    Math.min(limits.headersTimeoutMs, limits.idleTimeoutMs, 4000) / 4,
  );
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of connections) {
      if (c.closing || !c.server) continue;
      const late = c.lastRequestAt === 0
        ? limits.headersTimeoutMs > 0 &&
          now - c.openedAt > limits.headersTimeoutMs
        : limits.idleTimeoutMs > 0 &&
          now - c.lastRequestAt > limits.idleTimeoutMs;
      if (!late) continue;
      // Graceful: an idle or half-sent connection closes now, a running
      // response (a stream) finishes first and the connection closes after.
      c.closing = true;
      c.server.shutdown().catch(() => {});
    }
  }, sweepEvery);
  Deno.unrefTimer(sweeper);

  // Refusals still being written: each holds a descriptor until then.
  let refusing = 0;
  const refuse = (conn: Deno.Conn) => {
    const close = () => {
      try {
        conn.close();
      } catch { /* already closed */ }
    };
    // In a flood, close at once: the 503 is not worth a descriptor each.
    if (refusing >= MAX_REFUSING) return close();
    refusing++;
    conn.write(REFUSAL).catch(() => {}).finally(() => {
      refusing--;
      close();
    });
  };

  const serve = (conn: Deno.TcpConn) => {
    const key = addressKey(conn.remoteAddr.hostname);
    const fromAddress = perAddress.get(key) ?? 0;
    if (
      (cap > 0 && connections.size >= cap) ||
      (limits.maxConnectionsPerAddress > 0 &&
        fromAddress >= limits.maxConnectionsPerAddress)
    ) {
      return refuse(conn);
    }
    const c: Connection = {
      key,
      openedAt: Date.now(),
      lastRequestAt: 0,
      closing: false,
    };
    connections.add(c);
    perAddress.set(key, fromAddress + 1);
    const counted: Handler = (req, info) => {
      c.lastRequestAt = Date.now();
      return handler(req, info);
    };
    try {
      const server = c.server = serveOn(
        conn,
        undefined, // a signal would keep a listener per connection for good
        counted,
        onError,
        () => {},
      );
      c.ended = server.finished.catch(() => {}).finally(() => forget(c));
    } catch (err) {
      forget(c);
      try {
        conn.close();
      } catch { /* already closed */ }
      logAccept("cannot serve a connection", err);
    }
  };

  const forget = (c: Connection) => {
    if (!connections.delete(c)) return;
    const left = (perAddress.get(c.key) ?? 1) - 1;
    if (left > 0) perAddress.set(c.key, left);
    else perAddress.delete(c.key);
  };

  const run = async () => {
    try {
      await serveUntilStopped();
    } finally {
      clearInterval(sweeper);
    }
  };

  const serveUntilStopped = async () => {
    if (!await bind()) return;
    onListen?.(listener!.addr);
    // Graceful, as `Deno.serve`'s shutdown(): no new connections, open
    // ones finish their responses (streams end as the app closes them).
    const stop = () => {
      try {
        listener?.close();
      } catch { /* already closed */ }
      for (const c of connections) c.server?.shutdown().catch(() => {});
    };
    signal?.addEventListener("abort", stop, { once: true });
    let backoff = 10;
    while (!signal?.aborted) {
      let conn: Deno.TcpConn;
      try {
        conn = await listener!.accept();
        backoff = 10;
      } catch (err) {
        if (signal?.aborted) break;
        if (err instanceof Deno.errors.BadResource) {
          // The listening socket broke: listen again; open connections stay.
          logAccept("the listener closed; listening again", err);
          if (!await bind()) break;
          continue;
        }
        // EMFILE/ENFILE and other passing failures: wait, then accept again.
        logAccept("accept failed; retrying", err);
        const code = (err as { code?: string }).code;
        if (
          (code === "EMFILE" || code === "ENFILE") && cap === 0 &&
          connections.size > 32 && refusing === 0
        ) {
          // No known limit, and open connections used up the descriptors:
          // cap them, keeping some free to refuse with.
          cap = connections.size - 16;
          console.error(
            `connection cap lowered to ${cap} (out of descriptors)`,
          );
        }
        await delay(backoff);
        backoff = Math.min(backoff * 2, 1000);
        continue;
      }
      serve(conn);
    }
    // The stop ended every connection; wait until each is gone.
    await Promise.all([...connections].map((c) => c.ended));
  };

  return {
    finished: run(),
    mode: "accept-loop",
    limits,
    open: () => connections.size,
  };
}

function supervisedServe(
  handler: Handler,
  { port, hostname, reusePort, signal, onListen }: ListenOptions,
  limits: Required<Omit<ConnectionLimits, "mode">>,
): Listening {
  const log = throttledLog();
  let current: Deno.HttpServer | null = null;
  // Not Deno.serve's own signal: aborting it cuts streaming responses
  // mid-body; shutdown() refuses new connections and lets them end cleanly.
  signal?.addEventListener("abort", () => void current?.shutdown(), {
    once: true,
  });
  const run = async () => {
    let first = true;
    for (let wait = 50; !signal?.aborted; wait = Math.min(wait * 2, 2000)) {
      try {
        current = Deno.serve({
          port,
          hostname,
          reusePort,
          onListen(addr) {
            if (first) onListen?.(addr as Deno.NetAddr);
            first = false;
          },
        }, handler as Deno.ServeHandler);
      } catch (err) {
        if (first) throw err; // cannot listen at all (port taken): do not start
        log("cannot listen again yet", err);
        await delay(wait);
        continue;
      }
      if (signal?.aborted) await current.shutdown();
      try {
        await current.finished;
        wait = 50;
      } catch (err) {
        if (signal?.aborted) break;
        // Deno.serve's accept loop ended (EMFILE): its connections live on; serve again.
        log("the server stopped accepting; listening again", err);
        await delay(wait);
      }
    }
  };
  return {
    finished: run(),
    mode: "deno-serve",
    limits,
    open: () => NaN,
  };
}

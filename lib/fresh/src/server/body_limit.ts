/**
 * The guard every request body passes before any middleware or route: a byte limit
 * (413) and a timeout for a body that stops arriving (408).
 *
 * @module
 */

export interface BodyLimits {
  /** Largest body in bytes for this request (413 above); 0 = no limit. */
  maxBytes: (req: Request, url: URL) => number;
  /** Longest the client may keep a route waiting for the rest of its body (408), ms; 0 = no limit. */
  timeoutMs: number;
}

/** The default when the app configures nothing: 1 MiB, 30 s. */
export const DEFAULT_BODY_LIMITS: BodyLimits = {
  maxBytes: () => 1024 * 1024,
  timeoutMs: 30_000,
};

type Handler<I> = (req: Request, info: I) => Promise<Response>;

type Verdict = "too_large" | "timeout" | "incomplete" | null;

function errorAnswer(
  status: number,
  code: string,
  message: string,
  headers?: Headers,
): Response {
  const out = new Headers(headers);
  // What described the route's own answer no longer applies.
  for (
    const name of ["content-length", "content-encoding", "location", "etag"]
  ) out.delete(name);
  out.set("content-type", "application/json; charset=utf-8");
  return new Response(JSON.stringify({ error: { code, message } }), {
    status,
    headers: out,
  });
}

function verdictAnswer(
  verdict: Verdict,
  limit: number,
  timeoutMs: number,
  headers?: Headers,
): Response {
  if (verdict === "incomplete") {
    return errorAnswer(
      400,
      "incomplete_body",
      "request body ended before its declared length",
      headers,
    );
  }
  return verdict === "too_large"
    ? errorAnswer(
      413,
      "payload_too_large",
      `request body exceeds ${limit} bytes`,
      headers,
    )
    : errorAnswer(
      408,
      "body_timeout",
      `request body did not arrive within ${timeoutMs} ms`,
      headers,
    );
}

/** Counts and times one body; `verdict` says whether and why it was cut. */
class GuardedBody {
  verdict: Verdict = null;
  readonly stream: ReadableStream<Uint8Array>;
  #size = 0;
  #waitBudget: number;

  constructor(
    body: ReadableStream<Uint8Array>,
    limit: number,
    timeoutMs: number,
  ) {
    this.#waitBudget = timeoutMs > 0 ? timeoutMs : Infinity;
    const reader = body.getReader();
    const cut = (
      controller: ReadableStreamDefaultController<Uint8Array>,
      verdict: Verdict,
    ) => {
      this.verdict = verdict;
      reader.cancel().catch(() => {});
      controller.error(
        new TypeError(
          verdict === "too_large"
            ? `request body exceeds ${limit} bytes`
            : `request body did not arrive within ${timeoutMs} ms`,
        ),
      );
    };
    // highWaterMark 0: a chunk is read from the client only when the route asks.
    this.stream = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        // Only time spent waiting on the client counts, not a slow route.
        const started = Date.now();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timedOut = new Promise<"timeout">((resolve) => {
          if (this.#waitBudget !== Infinity) {
            timer = setTimeout(() => resolve("timeout"), this.#waitBudget);
          }
        });
        let result: ReadableStreamReadResult<Uint8Array> | "timeout";
        try {
          result = await Promise.race([reader.read(), timedOut]);
        } catch (err) {
          controller.error(err);
          return;
        } finally {
          clearTimeout(timer);
        }
        this.#waitBudget -= Date.now() - started;
        if (result === "timeout") return cut(controller, "timeout");
        if (result.done) return controller.close();
        this.#size += result.value.byteLength;
        if (limit > 0 && this.#size > limit) {
          return cut(controller, "too_large");
        }
        controller.enqueue(result.value);
      },
      cancel: (reason) => reader.cancel(reason),
    }, { highWaterMark: 0 });
  }
}

/**
 * A body of declared length within the limit, read whole in one native read
 * under the same timeout; the route gets a request over those bytes. Unlike
 * a cut stream, a read that timed out leaves the connection unusable, so the
 * server closes it after the 408 instead of keeping a stalled client.
 */
async function readDeclared(
  req: Request,
  timeoutMs: number,
): Promise<Request | "timeout" | "incomplete"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reading = req.bytes().catch(() => "incomplete" as const);
  const timedOut = new Promise<"timeout">((resolve) => {
    if (timeoutMs > 0) timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  const bytes = await Promise.race([reading, timedOut]).finally(() =>
    clearTimeout(timer)
  );
  if (typeof bytes === "string") return bytes;
  return new Request(req.url, {
    method: req.method,
    headers: req.headers,
    body: bytes,
  });
}

/** Wraps a request handler so that every body it reads is bounded (see the module doc). */
export function guardBodies<I>(
  handler: Handler<I>,
  limits: BodyLimits,
): Handler<I> {
  return async (req, info) => {
    if (!req.body) return await handler(req, info);
    const limit = limits.maxBytes(req, new URL(req.url));
    const declared = Number(req.headers.get("content-length") ?? NaN);
    if (limit > 0 && declared > limit) {
      req.body.cancel().catch(() => {});
      return verdictAnswer("too_large", limit, limits.timeoutMs);
    }
    if (limit > 0 && req.headers.has("content-length")) {
      const whole = await readDeclared(req, limits.timeoutMs);
      if (typeof whole === "string") {
        return verdictAnswer(whole, limit, limits.timeoutMs);
      }
      return await handler(whole, info);
    }
    const body = new GuardedBody(req.body, limit, limits.timeoutMs);
    const guarded = new Request(req.url, {
      method: req.method,
      headers: req.headers,
      body: body.stream,
      // Not req.signal: reading it switches Deno to its legacy abort (with a
      // warning), and a client gone mid-body already errors the stream.
      duplex: "half",
    } as RequestInit);
    const res = await handler(guarded, info);
    if (!body.verdict) return res;
    res.body?.cancel().catch(() => {});
    return verdictAnswer(body.verdict, limit, limits.timeoutMs, res.headers);
  };
}

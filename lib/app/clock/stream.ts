/**
 * `GET /api/clock?duration=SECONDS`: the server's time every second for a limited run,
 * then `end` (ARCHITECTURE.md, Clock).
 *
 * @module
 */
import { envInt, type EnvSource } from "../../config/env.ts";
import { errorResponse, HttpError } from "../../http/error.ts";
import { encodeEvent, encodeRetry } from "../../realtime/sse/encode.ts";
import { sseHeaders } from "../../realtime/sse/headers.ts";

export interface ClockOptions {
  /** Run length when `?duration=` is absent, seconds; default 60. */
  defaultSeconds?: number;
  /** Longest run allowed, seconds; default 3600. */
  maxSeconds?: number;
  /** Tick interval, ms; default 1000. */
  tickMs?: number;
  /** `retry:` sent first, ms; default 1000. */
  retryMs?: number;
  now?: () => number;
  /** Called once when this answer is done: the stream ended or was cancelled, or no stream was opened. */
  onEnd?: () => void;
  /**
   * The server is stopping: the stream ends at once, without `end`, so the
   * browser reconnects (to another instance) and goes on with the same run.
   */
  signal?: AbortSignal;
}

/** The defaults, with `HERALD_CLOCK_SECONDS` as the default run length. */
export function clockOptionsFromEnv(env: EnvSource = Deno.env): ClockOptions {
  return { defaultSeconds: envInt(env, "HERALD_CLOCK_SECONDS", undefined) };
}

/** One tick's payload. */
export interface ClockTick {
  time: number;
  /** Seconds until the end (rounded up). */
  remaining: number;
}

/** A run's length from `?duration=` (or a form field): `SECONDS` or `SECONDSs`, 1 to `max`; throws a 400. */
export function parseDuration(
  raw: string | null,
  fallback: number,
  max: number,
): number {
  if (raw === null || raw === "") return Math.min(fallback, max);
  const match = /^(\d+)s?$/.exec(raw.trim());
  const seconds = match ? Number(match[1]) : NaN;
  if (!(seconds >= 1 && seconds <= max)) {
    throw new HttpError(
      400,
      "invalid_duration",
      `duration is a number of seconds from 1 to ${max}`,
    );
  }
  return seconds;
}

/** The end time of a run this client already had, from its last event id; null if none. */
export function resumedEnd(req: Request): number | null {
  const id = req.headers.get("last-event-id") ??
    new URL(req.url).searchParams.get("lastEventId");
  const match = id ? /^(\d{1,15})-(\d+|end)$/.exec(id.trim()) : null;
  return match ? Number(match[1]) : null;
}

export function clockResponse(req: Request, opts: ClockOptions = {}): Response {
  const now = opts.now ?? Date.now;
  const tickMs = opts.tickMs ?? 1000;
  let ended = false;
  const end = () => {
    if (!ended) opts.onEnd?.();
    ended = true;
  };
  let endsAt: number;
  const maxSeconds = opts.maxSeconds ?? 3600;
  try {
    const resumed = resumedEnd(req);
    if (resumed !== null) {
      // This run is over: tell the browser to stop, not to start again.
      if (resumed <= now()) {
        end();
        return new Response(null, { status: 204 });
      }
      // The id is the client's word: a run never lasts past the cap from now.
      endsAt = Math.min(resumed, now() + maxSeconds * 1000);
    } else {
      const seconds = parseDuration(
        new URL(req.url).searchParams.get("duration"),
        opts.defaultSeconds ?? 60,
        maxSeconds,
      );
      endsAt = now() + seconds * 1000;
    }
  } catch (err) {
    end();
    return errorResponse(err);
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  let n = 0;
  let stopping: (() => void) | undefined;
  const finish = () => {
    clearTimeout(timer);
    if (stopping) opts.signal?.removeEventListener("abort", stopping);
    end();
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // The connection can end the stream between two ticks; a timer that
      // then writes must stop the run, never throw (it would end the process).
      const write = (bytes: Uint8Array): boolean => {
        try {
          controller.enqueue(bytes);
          return true;
        } catch {
          finish();
          return false;
        }
      };
      const close = () => {
        try {
          controller.close();
        } catch { /* already closed or errored by the connection */ }
        finish();
      };
      write(encodeRetry(opts.retryMs ?? 1000));
      stopping = close;
      if (opts.signal?.aborted) return stopping();
      opts.signal?.addEventListener("abort", stopping, { once: true });
      const tick = () => {
        timer = undefined;
        const t = now();
        if (t >= endsAt) {
          write(encodeEvent({
            id: `${endsAt}-end`,
            event: "end",
            data: JSON.stringify({ time: t }),
          }));
          return close();
        }
        const data: ClockTick = {
          time: t,
          remaining: Math.ceil((endsAt - t) / 1000),
        };
        const written = write(encodeEvent({
          id: `${endsAt}-${n++}`,
          event: "tick",
          data: JSON.stringify(data),
        }));
        if (!written) return;
        // Next tick on the next whole interval (a steady display), or at the end.
        const next = Math.min(tickMs - (t % tickMs), endsAt - t);
        timer = setTimeout(tick, Math.max(1, next));
      };
      tick();
    },
    cancel() {
      finish();
    },
  });
  return new Response(body, { headers: sseHeaders() });
}

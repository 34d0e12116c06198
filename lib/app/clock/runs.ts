/**
 * The /clock page's runs over the shared event stream: a run is an end time kept in
 * the app store; while this process has a run, it publishes the server time on the one
 * `clock` channel each second, and `end` (naming the run) when a run is over
 * (ARCHITECTURE.md, Clock).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import type { Broker } from "../../realtime/types.ts";
import type { AppStore } from "../store/types.ts";
import { parseDuration } from "./stream.ts";
import {
  CLOCK_CHANNEL,
  type ClockEnd,
  type ClockRun,
  type ClockTickEvent,
} from "./types.ts";

export interface ClockRunsOptions {
  /** Run length when none is asked, seconds; default 60. */
  defaultSeconds?: number;
  /** Longest run, seconds; default 3600. */
  maxSeconds?: number;
  /** Tick interval, ms; default 1000. */
  tickMs?: number;
  /** Runs this process keeps at once; default 1000. */
  maxRuns?: number;
  /** Runs one owner (user or session) keeps at once, in this process; default 8. */
  maxPerOwner?: number;
  /** Runs one address keeps at once, in this process; default 32. */
  maxPerAddress?: number;
  now?: () => number;
}

export interface ClockRunsDeps {
  store: Pick<AppStore, "get" | "setIfAbsent">;
  broker: Pick<Broker, "publish" | "head">;
  log?: HeraldLog;
}

/** Who asks for a run: the owner its resume must match, the address it counts against. */
export interface RunCaller {
  owner: string;
  address: string;
}

interface LiveRun {
  endsAt: number;
  owner: string;
  address: string;
}

interface StoredRun {
  endsAt: number;
  owner: string;
}

/** How long a run's record outlives its end: a resume then still hears "ended". */
const RECORD_GRACE_MS = 10 * 60 * 1000;
const RUN_ID = /^[A-Za-z0-9_-]{22}$/;

const runKey = (run: string) => ["clock-run", run] as const;

function newRunId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-")
    .replace(/\//g, "_").replace(/=+$/, "");
}

/** Unknown, someone else's, or expired: the same answer, so ids of others reveal nothing. */
const unknownRun = () =>
  new HttpError(404, "unknown_run", "This clock run is unknown or long over.");

export class ClockRuns {
  #live = new Map<string, LiveRun>();
  #tickTimer: ReturnType<typeof setTimeout> | undefined;
  #endTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #deps: ClockRunsDeps;
  #opts: Required<ClockRunsOptions>;

  constructor(deps: ClockRunsDeps, opts: ClockRunsOptions = {}) {
    this.#deps = deps;
    this.#opts = {
      defaultSeconds: opts.defaultSeconds ?? 60,
      maxSeconds: opts.maxSeconds ?? 3600,
      tickMs: opts.tickMs ?? 1000,
      maxRuns: opts.maxRuns ?? 1000,
      maxPerOwner: opts.maxPerOwner ?? 8,
      maxPerAddress: opts.maxPerAddress ?? 32,
      now: opts.now ?? Date.now,
    };
  }

  /** Runs this process is ticking for. */
  get live(): number {
    return this.#live.size;
  }

  /** Starts a run of `duration` seconds (the default when null); 400 or 429 when refused. */
  async start(caller: RunCaller, duration: string | null): Promise<ClockRun> {
    const { maxSeconds, defaultSeconds, now } = this.#opts;
    const seconds = parseDuration(duration, defaultSeconds, maxSeconds);
    const run = newRunId();
    const endsAt = now() + seconds * 1000;
    const release = this.#hold(run, { endsAt, ...caller });
    try {
      // The head before the run can end: the page's catch-up from it hears the end.
      const since = await this.#deps.broker.head();
      await this.#deps.store.setIfAbsent(
        runKey(run),
        { endsAt, owner: caller.owner } satisfies StoredRun,
        { ttlMs: endsAt - now() + RECORD_GRACE_MS },
      );
      this.#schedule();
      return { run, endsAt, now: now(), since, ended: false };
    } catch (err) {
      release();
      throw err;
    }
  }

  /**
   * Goes on with `run` (a reload, a reconnect, a process that took over):
   * this process ticks for it until its end, or says it ended. Never a new run.
   */
  async resume(caller: RunCaller, run: string): Promise<ClockRun> {
    if (!RUN_ID.test(run)) throw unknownRun();
    const since = await this.#deps.broker.head();
    const stored = await this.#deps.store.get<StoredRun>(runKey(run));
    if (!stored || stored.owner !== caller.owner) throw unknownRun();
    const { now } = this.#opts;
    const ended = now() >= stored.endsAt;
    if (!ended && !this.#live.has(run)) {
      this.#hold(run, { endsAt: stored.endsAt, ...caller });
      this.#schedule();
    }
    return { run, endsAt: stored.endsAt, now: now(), since, ended };
  }

  /** Stops ticking; the runs stay in the store, so another process (or this one, restarted) resumes them. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#tickTimer);
    clearTimeout(this.#endTimer);
    this.#live.clear();
  }

  /** Takes a slot for `run` at once (before any await, so concurrent starts cannot pass the caps together). */
  #hold(run: string, live: LiveRun): () => void {
    const { maxRuns, maxPerOwner, maxPerAddress } = this.#opts;
    if (this.#closed) {
      throw new HttpError(503, "closing", "The server is stopping.");
    }
    let owner = 0, address = 0;
    for (const r of this.#live.values()) {
      if (r.owner === live.owner) owner++;
      if (r.address === live.address) address++;
    }
    const refuse = (what: string) =>
      new HttpError(
        429,
        "too_many_clocks",
        `${what}. Wait for one to end (or close a clock tab) and start again.`,
        { "retry-after": "5" },
      );
    if (owner >= maxPerOwner) {
      throw refuse(`You have ${maxPerOwner} clocks running`);
    }
    if (address >= maxPerAddress) {
      throw refuse(`Your address has ${maxPerAddress} clocks running`);
    }
    if (this.#live.size >= maxRuns) {
      throw refuse(`The server runs ${maxRuns} clocks already`);
    }
    this.#live.set(run, live);
    return () => {
      this.#live.delete(run);
      this.#schedule();
    };
  }

  /** One tick timer (on whole intervals) and one end timer (the earliest end), none without runs. */
  #schedule() {
    clearTimeout(this.#endTimer);
    this.#endTimer = undefined;
    if (this.#closed || this.#live.size === 0) {
      clearTimeout(this.#tickTimer);
      this.#tickTimer = undefined;
      return;
    }
    const { now, tickMs } = this.#opts;
    let earliest = Infinity;
    for (const r of this.#live.values()) {
      earliest = Math.min(earliest, r.endsAt);
    }
    this.#endTimer = setTimeout(
      () => this.#endDue(),
      Math.max(1, earliest - now()),
    );
    if (this.#tickTimer === undefined) {
      this.#tickTimer = setTimeout(
        () => this.#tick(),
        tickMs - (now() % tickMs),
      );
    }
  }

  #tick() {
    this.#tickTimer = undefined;
    if (this.#closed || this.#live.size === 0) return;
    const data: ClockTickEvent = { time: this.#opts.now() };
    // A lost tick is not worth a log line: the next one carries the time again.
    this.#deps.broker.publish(CLOCK_CHANNEL, { event: "tick", data })
      .catch(() => {});
    this.#schedule();
  }

  #endDue() {
    this.#endTimer = undefined;
    const t = this.#opts.now();
    for (const [run, r] of this.#live) {
      if (r.endsAt > t) continue;
      this.#live.delete(run);
      const data: ClockEnd = { run, time: t };
      // A page that misses it still ends: its next resume hears `ended`.
      this.#deps.broker.publish(CLOCK_CHANNEL, { event: "end", data }).catch(
        (err) =>
          this.#deps.log?.log("warn", "clock end not published", {
            error: String(err),
          }),
      );
    }
    this.#schedule();
  }
}

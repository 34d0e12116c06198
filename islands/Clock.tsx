/**
 * The server's clock for one run, over the page's shared event stream (the `clock`
 * channel): the time every second until the run's `end`; a reload goes on with this
 * tab's run or shows it ended (never a silent new run); "Start again" starts one.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { Button } from "../components/Button.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { useEventStream } from "../lib/client/hook.ts";
import {
  CLOCK_CHANNEL,
  type ClockEnd,
  type ClockRun,
  type ClockTickEvent,
} from "../lib/app/clock/types.ts";
import {
  resumeRun,
  savedRun,
  saveRun,
  startRun,
} from "../lib/app/clock/page.ts";

export interface ClockProps {
  /** Server time when the page was rendered. */
  initialTime: number;
  /** Run length, seconds. */
  duration: number;
}

/** No tick for this long while running: ask the server to go on with the run (its process may have stopped). */
const STALL_MS = 5000;

function timeText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + " UTC";
}

export default function Clock({ initialTime, duration }: ClockProps) {
  const [time, setTime] = useState(initialTime);
  const [ticked, setTicked] = useState(false);
  const [run, setRun] = useState<ClockRun | null>(null);
  const [ended, setEnded] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const lastTickAt = useRef(0);

  // Start a run; on the first load of a tab that had one (a reload), go on with it.
  useEffect(() => {
    let cancelled = false;
    setRun(null);
    setEnded(false);
    setTicked(false);
    setProblem(null);
    const saved = attempt === 0 ? savedRun() : null;
    (saved ? resumeRun(saved) : startRun(duration)).then(
      (next) => {
        if (cancelled) return;
        if (!next) return setEnded(true); // the server forgot it: long over
        saveRun(next.run);
        lastTickAt.current = Date.now();
        setRun(next);
        setEnded(next.ended);
      },
      (err: Error) => !cancelled && setProblem(err.message),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  const running = run !== null && !ended;
  const stream = useEventStream({
    channels: running ? [CLOCK_CHANNEL] : [],
    events: ["tick", "end"],
    since: run?.since ?? undefined,
    onEvent: (e) => {
      if (!run) return;
      if (e.event === "end") {
        if ((e.data as ClockEnd).run === run.run) setEnded(true);
        return;
      }
      const t = (e.data as ClockTickEvent).time;
      lastTickAt.current = Date.now();
      // Two processes may tick for one run: show each second once, never back.
      setTime((shown) => Math.max(shown, t));
      setTicked(true);
      // The server's own time says it is over, whether or not `end` came.
      if (t >= run.endsAt) setEnded(true);
    },
  });

  // No ticks (the process that ran it stopped, or the end was lost): resume it.
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => {
      if (Date.now() - lastTickAt.current < STALL_MS) return;
      lastTickAt.current = Date.now();
      resumeRun(run.run).then(
        (again) => {
          if (!again || again.ended) setEnded(true);
        },
        () => {/* the server is away: the next check asks again */},
      );
    }, 1000);
    return () => clearInterval(timer);
  }, [run, running]);

  const remaining = running && ticked
    ? Math.max(0, Math.ceil((run.endsAt - time) / 1000))
    : null;
  return (
    <section
      aria-labelledby="clock-title"
      class="rounded-lg border border-slate-200 bg-white p-6 text-center shadow-sm"
      data-ended={ended ? "true" : "false"}
    >
      <h2 id="clock-title" class="sr-only">Server time</h2>
      <p
        role="timer"
        aria-live="off"
        class="font-mono text-4xl font-bold tabular-nums sm:text-6xl"
      >
        <time dateTime={new Date(time).toISOString()}>{timeText(time)}</time>
      </p>
      <p class="mt-3 min-h-6 text-slate-600" aria-live="polite">
        {problem ??
          (ended
            ? "This run has ended."
            : remaining !== null
            ? `Ends in ${remaining} s`
            : `Runs for ${duration} s`)}
      </p>
      <div class="mt-4 flex flex-wrap items-center justify-center gap-3">
        <StatusBadge
          status={ended ? "ended" : stream.status.value}
          label="Clock"
        />
        <Button
          disabled={!ended && problem === null}
          onClick={() => setAttempt((n) => n + 1)}
        >
          Start again
        </Button>
      </div>
    </section>
  );
}

/**
 * The server's clock, live from `/api/clock` until `end` (or `204`); then the stream
 * is closed for good and a button offers a new run.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { Button } from "../components/Button.tsx";
import { StatusBadge } from "../components/StatusBadge.tsx";
import { Connection, type StreamStatus } from "../lib/client/connection.ts";
import type { ClockTick } from "../lib/app/clock/stream.ts";

export interface ClockProps {
  /** Server time when the page was rendered. */
  initialTime: number;
  /** Run length, seconds. */
  duration: number;
}

function timeText(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19) + " UTC";
}

export default function Clock({ initialTime, duration }: ClockProps) {
  const [time, setTime] = useState(initialTime);
  const [remaining, setRemaining] = useState<number | null>(null);
  const [status, setStatus] = useState<StreamStatus>("connecting");
  const [ended, setEnded] = useState(false);
  const [run, setRun] = useState(0);

  useEffect(() => {
    setEnded(false);
    // Every reconnect names this run's last tick: the server continues the
    // same run, or answers 204 when it is over (never a silent new run).
    let lastId = "";
    const c = new Connection(
      () =>
        `/api/clock?duration=${duration}` +
        (lastId ? `&lastEventId=${encodeURIComponent(lastId)}` : ""),
      {
        events: ["tick", "end"],
        onStatus: (next) => {
          setStatus(next);
          // Stopped by the server (204 after an end missed while away): over.
          if (next === "closed") setEnded(true);
        },
        onEvent: (r) => {
          lastId = r.id;
          if (r.name === "end") {
            c.close();
            setEnded(true);
            setRemaining(0);
            return;
          }
          const tick = JSON.parse(r.data) as ClockTick;
          setTime(tick.time);
          setRemaining(tick.remaining);
        },
      },
    );
    return () => c.close();
  }, [run]);

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
        {ended
          ? "The clock stream has ended."
          : remaining !== null
          ? `Ends in ${remaining} s`
          : `Runs for ${duration} s`}
      </p>
      <div class="mt-4 flex flex-wrap items-center justify-center gap-3">
        <StatusBadge status={status} label="Clock stream" />
        <Button disabled={!ended} onClick={() => setRun((n) => n + 1)}>
          Start again
        </Button>
      </div>
    </section>
  );
}

/**
 * What the /clock page and the server say to each other about a run (lib/app/clock/runs.ts).
 *
 * @module
 */

/** The one channel of every run: `tick` ({@link ClockTickEvent}) and `end` ({@link ClockEnd}). */
export const CLOCK_CHANNEL = "clock";

/** A run as `POST /clock/runs` (start) and `POST /clock/runs/{run}` (resume) answer it. */
export interface ClockRun {
  /** The run's id (random; only its owner may resume it). */
  run: string;
  /** When it ends, ms since the epoch (the server's clock). */
  endsAt: number;
  /** The server's time of the answer. */
  now: number;
  /** The broker head before the run could end: the page catches up from it. */
  since: string | null;
  /** Over already (a resume after the end). */
  ended: boolean;
}

/** `event: tick` on {@link CLOCK_CHANNEL}: the server's time. */
export interface ClockTickEvent {
  time: number;
}

/** `event: end` on {@link CLOCK_CHANNEL}: one run is over. */
export interface ClockEnd {
  run: string;
  time: number;
}

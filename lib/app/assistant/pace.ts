/**
 * How fast an answer is written: a timer between tokens, or (tests, demos:
 * `HERALD_ASSISTANT_STEP=on`) only as far as `POST /assistant/step` released
 * tokens, so a test decides where an answer is, not a clock.
 *
 * @module
 */

/** One answer's pacing: {@link next} waits until its next token may go. */
export interface Pacer {
  /** Rejects with the signal's reason once it aborts. */
  next(signal: AbortSignal): Promise<void>;
  /** The answer ended. */
  end(): void;
}

/** Makes one {@link Pacer} per answer. */
export interface Pace {
  start(): Pacer;
}

/** Resolves after `ms`, or rejects when `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** One token every `ms`. */
export function timerPace(ms: number): Pace {
  return { start: () => ({ next: (signal) => delay(ms, signal), end() {} }) };
}

/** A pacer that lets a token go per permit it was given. */
class SteppedPacer implements Pacer {
  permits = 0;
  #wake: (() => void) | null = null;

  constructor(readonly onEnd: (pacer: SteppedPacer) => void) {}

  give(count: number) {
    this.permits += count;
    this.#wake?.();
  }

  async next(signal: AbortSignal): Promise<void> {
    while (this.permits === 0) {
      await new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason);
        const onAbort = () => reject(signal.reason);
        signal.addEventListener("abort", onAbort, { once: true });
        this.#wake = () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        };
      });
      this.#wake = null;
    }
    if (signal.aborted) throw signal.reason;
    this.permits--;
  }

  end() {
    this.onEnd(this);
  }
}

/** Tokens only as {@link SteppedPace.step} releases them, to the answers of this process running then. */
export class SteppedPace implements Pace {
  readonly #running = new Set<SteppedPacer>();

  start(): Pacer {
    const pacer = new SteppedPacer((p) => this.#running.delete(p));
    this.#running.add(pacer);
    return pacer;
  }

  /** Lets every running answer write `count` more tokens; returns how many answers run. */
  step(count: number): number {
    for (const pacer of this.#running) pacer.give(count);
    return this.#running.size;
  }
}

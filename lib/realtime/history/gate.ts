/**
 * A process-wide cap on history responses in progress (read, encoded or
 * being sent): past it a caller is refused at once instead of queued, so
 * the memory history responses hold is at most `capacity` pages.
 *
 * @example
 * ```ts
 * const gate = new HistoryGate(8);
 * const release = gate.tryAcquire();
 * if (!release) return busy(); // 503 with Retry-After
 * try { ... } finally { release(); }
 * ```
 * @module
 */

export class HistoryGate {
  #inUse = 0;

  constructor(readonly capacity: number) {}

  /** Slots taken now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** A release function (idempotent), or null when every slot is taken. */
  tryAcquire(): (() => void) | null {
    if (this.#inUse >= this.capacity) return null;
    this.#inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
    };
  }
}

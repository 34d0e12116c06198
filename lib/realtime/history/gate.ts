/**
 * A process-wide cap on history responses in progress: past it a caller is refused at
 * once (503), so history holds at most `capacity` pages.
 *
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

/**
 * Timeouts by key that all pause together and resume with the time they had left:
 * toasts stay up while a person points at or is focused in them.
 *
 * @example
 * ```ts
 * const timers = new PausableTimers();
 * timers.add("t1", 5000, () => dismiss("t1"));
 * timers.pause();   // pointer over the toasts
 * timers.resume();  // 5000 ms minus what had run, from now
 * ```
 *
 * @module
 */

interface Entry {
  left: number;
  startedAt: number;
  timer?: ReturnType<typeof setTimeout>;
  fire: () => void;
}

export class PausableTimers {
  #entries = new Map<string, Entry>();
  #paused = false;

  get paused(): boolean {
    return this.#paused;
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** Calls `fire` after `ms` of unpaused time (a running `key` is replaced). */
  add(key: string, ms: number, fire: () => void): void {
    this.remove(key);
    const entry: Entry = { left: ms, startedAt: 0, fire };
    this.#entries.set(key, entry);
    if (!this.#paused) this.#run(key, entry);
  }

  remove(key: string): void {
    clearTimeout(this.#entries.get(key)?.timer);
    this.#entries.delete(key);
  }

  pause(): void {
    if (this.#paused) return;
    this.#paused = true;
    const now = Date.now();
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.timer);
      entry.timer = undefined;
      entry.left = Math.max(0, entry.left - (now - entry.startedAt));
    }
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    for (const [key, entry] of this.#entries) this.#run(key, entry);
  }

  /** Cancels everything (unmount). */
  clear(): void {
    for (const key of [...this.#entries.keys()]) this.remove(key);
  }

  #run(key: string, entry: Entry) {
    entry.startedAt = Date.now();
    entry.timer = setTimeout(() => {
      this.#entries.delete(key);
      entry.fire();
    }, entry.left);
  }
}

/**
 * Remembers the ids of recently delivered events, so an event that arrives
 * twice (a replay after reconnect overlapping what was already seen, or the
 * relay of a new leader tab) is handed to the islands once.
 *
 * @example
 * ```ts
 * const seen = new RecentIds(1000);
 * seen.add("01"); // true: first time
 * seen.add("01"); // false: a duplicate
 * ```
 * @module
 */

/** A bounded set of ids; the oldest are forgotten first. */
export class RecentIds {
  #ids = new Set<string>();

  constructor(readonly capacity = 2000) {}

  /** Records `id`; false when it was already recorded (a duplicate). */
  add(id: string): boolean {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    if (this.#ids.size > this.capacity) {
      // A Set iterates in insertion order: the first one is the oldest.
      this.#ids.delete(this.#ids.values().next().value!);
    }
    return true;
  }

  has(id: string): boolean {
    return this.#ids.has(id);
  }

  get size(): number {
    return this.#ids.size;
  }
}

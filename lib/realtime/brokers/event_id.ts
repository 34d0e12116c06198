/**
 * Event ids and the hybrid logical clock that mints them (format and ordering:
 * ARCHITECTURE.md, Events, ids and ordering).
 *
 * @example
 * ```ts
 * const clock = new IdClock();
 * compareIds(clock.next(), clock.next()); // -1
 * ```
 *
 * @module
 */

/** Digits of the clock part; 16 digits of µs last until the year 2286. */
export const CLOCK_DIGITS = 16;
/** The origin tag of ids that one shared store assigns (redis, kv, memory). */
export const STORE_ORIGIN = "0000";
/** Length of every id. */
export const EVENT_ID_LENGTH = CLOCK_DIGITS + 1 + STORE_ORIGIN.length;

const ID_PATTERN = /^\d{16}-[0-9a-z]{4}$/;

/** True when `s` is a well-formed event id (the HTTP layer rejects other Last-Event-IDs). */
export function isEventId(s: unknown): s is string {
  return typeof s === "string" && ID_PATTERN.test(s);
}

/** Orders two ids: -1, 0 or 1 (plain string order, since ids are fixed-width). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The later of two ids, either of which may be null (none yet). */
export function newestId(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/** Builds an id from a clock value (µs) and an origin tag. */
export function formatEventId(clockUs: number, origin = STORE_ORIGIN): string {
  if (!Number.isSafeInteger(clockUs) || clockUs < 0) {
    throw new RangeError(`invalid event clock ${clockUs}`);
  }
  return `${String(clockUs).padStart(CLOCK_DIGITS, "0")}-${origin}`;
}

/** The clock value (µs) of an id. */
export function eventIdClock(id: string): number {
  return Number(id.slice(0, CLOCK_DIGITS));
}

/**
 * The lowest id minted at or after `timeMs`: every event published before
 * `timeMs` has a smaller id. Used for age cut-offs.
 */
export function eventIdAtTime(timeMs: number): string {
  return formatEventId(Math.floor(timeMs) * 1000, STORE_ORIGIN);
}

/** A random origin tag (4 base-36 characters, never `0000`). */
export function randomOrigin(): string {
  const n = 1 + (crypto.getRandomValues(new Uint32Array(1))[0] % (36 ** 4 - 1));
  return n.toString(36).padStart(4, "0");
}

/** Mints strictly increasing ids from wall time (a hybrid logical clock). */
export class IdClock {
  #last = 0;

  constructor(readonly origin: string = STORE_ORIGIN) {}

  /** The next clock value, µs: `max(now, last + 1)`. */
  tick(nowMs: number = Date.now()): number {
    this.#last = Math.max(Math.floor(nowMs) * 1000, this.#last + 1);
    return this.#last;
  }

  /** The next id. */
  next(nowMs?: number): string {
    return formatEventId(this.tick(nowMs), this.origin);
  }

  /** Moves the clock past an id seen elsewhere, so later ids sort after it. */
  observe(id: string): void {
    if (isEventId(id)) this.#last = Math.max(this.#last, eventIdClock(id));
  }
}

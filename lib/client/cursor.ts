/**
 * What one subscription of the page stream is handed: on each channel, ids in
 * increasing order, each once; pure, driven by {@link PageStream} (see ARCHITECTURE.md,
 * Ordering).
 *
 * @module
 */
import type { HeraldEvent } from "../realtime/types.ts";

const byId = (a: HeraldEvent, b: HeraldEvent) =>
  a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

export class SubscriptionCursor {
  /** Per channel, the newest id handed over. */
  #newest = new Map<string, string>();
  /** Live events held while catching up; null once live. */
  #held: HeraldEvent[] | null;

  /** `since`: catch up from this id first; none: live events only, as they come. */
  constructor(readonly since?: string) {
    this.#held = since === undefined ? null : [];
  }

  /** True until the history after `since` was handed over (or given up on). */
  get catchingUp(): boolean {
    return this.#held !== null;
  }

  /** A live event (or replay, or relay) for this subscription: what to hand over now. */
  live(event: HeraldEvent): HeraldEvent[] {
    if (this.#held) {
      this.#held.push(event);
      return [];
    }
    return this.#admit([event]);
  }

  /**
   * The history after `since` of every channel: hands it over together with
   * the held live events, merged in id order, each id once.
   */
  caughtUp(history: HeraldEvent[]): HeraldEvent[] {
    const held = this.#held ?? [];
    this.#held = null;
    return this.#admit([...history, ...held].sort(byId));
  }

  /**
   * The history could not be read in full (a gap: the island reloads its
   * state): hands over the held live events only, and goes live.
   */
  gaveUp(): HeraldEvent[] {
    return this.caughtUp([]);
  }

  #admit(events: HeraldEvent[]): HeraldEvent[] {
    const out: HeraldEvent[] = [];
    for (const event of events) {
      const floor = this.#newest.get(event.channel) ?? this.since;
      if (floor !== undefined && event.id <= floor) continue;
      this.#newest.set(event.channel, event.id);
      out.push(event);
    }
    return out;
  }
}

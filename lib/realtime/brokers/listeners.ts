/**
 * Local subscribers of a broker, per channel. A throwing callback is reported
 * and never stops delivery to the others.
 *
 * @module
 */
import type { HeraldEvent } from "../types.ts";

export type Listener = (e: HeraldEvent) => void;

export class Listeners {
  #byChannel = new Map<string, Set<Listener>>();

  /** Adds a listener; true when it is the channel's first. */
  add(channel: string, listener: Listener): boolean {
    let set = this.#byChannel.get(channel);
    const first = !set;
    if (!set) this.#byChannel.set(channel, set = new Set());
    set.add(listener);
    return first;
  }

  /** Removes a listener; true when the channel has none left. */
  remove(channel: string, listener: Listener): boolean {
    const set = this.#byChannel.get(channel);
    if (!set || !set.delete(listener)) return false;
    if (set.size > 0) return false;
    this.#byChannel.delete(channel);
    return true;
  }

  has(channel: string): boolean {
    return this.#byChannel.has(channel);
  }

  channels(): string[] {
    return [...this.#byChannel.keys()];
  }

  get size(): number {
    return this.#byChannel.size;
  }

  deliver(e: HeraldEvent): void {
    const set = this.#byChannel.get(e.channel);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(e);
      } catch (err) {
        console.error(`herald: a subscriber of ${e.channel} threw`, err);
      }
    }
  }

  clear(): void {
    this.#byChannel.clear();
  }
}

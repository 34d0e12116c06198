/**
 * Which channels a page (or a set of tabs) listens to, reference-counted, and the URL
 * of the multi-channel stream that carries them.
 *
 * @module
 */

/** A reference-counted multiset of names (channels, or event names). */
export class ChannelSet {
  #counts = new Map<string, number>();

  /** Registers each name once more; returns the function that releases them. */
  add(names: Iterable<string>): () => void {
    const added = [...names];
    for (const name of added) {
      this.#counts.set(name, (this.#counts.get(name) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const name of added) {
        const n = (this.#counts.get(name) ?? 1) - 1;
        if (n > 0) this.#counts.set(name, n);
        else this.#counts.delete(name);
      }
    };
  }

  /** The distinct names, sorted (so equal sets give equal URLs). */
  channels(): string[] {
    return [...this.#counts.keys()].sort();
  }
}

/** The sorted union of several lists, without repeats. */
export function unionOf(...lists: Iterable<string>[]): string[] {
  const all = new Set<string>();
  for (const list of lists) for (const name of list) all.add(name);
  return [...all].sort();
}

/** True when two sorted lists hold the same names. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, i) => name === b[i]);
}

/**
 * The URL of the multi-channel stream (`GET /api/events?channel=a&channel=b`),
 * resuming after `lastEventId` when given.
 */
export function eventsUrl(
  base: string,
  channels: readonly string[],
  lastEventId?: string | null,
): string {
  const params = new URLSearchParams();
  for (const channel of channels) params.append("channel", channel);
  if (lastEventId) params.set("lastEventId", lastEventId);
  // The base may carry a query already (`?token=` for a cross-site page).
  return `${base}${base.includes("?") ? "&" : "?"}${params}`;
}

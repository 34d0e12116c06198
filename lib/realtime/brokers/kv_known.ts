/**
 * What a kv store instance knows of the store right after its own last
 * commit, so that its next commit needs no read first (ARCHITECTURE.md, kv).
 * Every key the picture holds is checked by the commit that relies on it: a
 * stale picture costs one refused commit, never a wrong one. An instance
 * that loses commit races in a row writes the contention marker; the picture
 * is not used while the marker is recent, and a commit from the picture checks
 * it, so a busy instance that never reads cannot starve another one.
 *
 * @example
 * ```ts
 * const known = new KnownState();
 * const state = known.for(new Map([["room:1", 2]]), Date.now()) ??
 *   await readState(["room:1"]);
 * // … commit with checks on state.clock, state.contended and each channel's meta and trimmed …
 * known.committed(clockAfter, state.contended, channelsAfter); // or known.forget() on a conflict
 * ```
 * @module
 */

/** A channel's meta record: its newest id and how many events it ever had. */
export interface Meta {
  head: string;
  seq: number;
}

/** One log entry as trimming sees it. */
export interface OldEntry {
  id: string;
  seq: number;
}

/** What a commit to one channel relies on. */
export interface ChannelState {
  meta: Deno.KvEntryMaybe<Meta>;
  trimmed: Deno.KvEntryMaybe<string>;
  /** The channel's oldest log entries, oldest first. */
  oldest: OldEntry[];
  /** `oldest` is the channel's whole log. */
  complete: boolean;
}

/** What a commit relies on. */
export interface StoreState {
  clock: Deno.KvEntryMaybe<number>;
  /** The contention marker: when an instance last lost commit races in a row (ms). */
  contended: Deno.KvEntryMaybe<number>;
  channels: Map<string, ChannelState>;
}

/** After a contention mark, every instance reads before each commit for this long. */
export const CONTENDED_MS = 10_000;
/** Channels remembered at most; the least recently committed are forgotten first. */
const MAX_CHANNELS = 1000;

export class KnownState {
  #clock: Deno.KvEntryMaybe<number> | null = null;
  #contended: Deno.KvEntryMaybe<number> | null = null;
  #channels = new Map<string, ChannelState>();

  /**
   * The state for a commit of `appends` events per channel, or null when the
   * store must be read: nothing is known, a channel is not, fewer of its
   * oldest entries are known than it adds events (each may push one out), or
   * the store was marked contended less than CONTENDED_MS before `now`.
   */
  for(appends: ReadonlyMap<string, number>, now: number): StoreState | null {
    if (!this.#clock || !this.#contended) return null;
    const mark = this.#contended.value;
    if (mark !== null && now - mark < CONTENDED_MS) return null;
    const known = new Map<string, ChannelState>();
    for (const [channel, count] of appends) {
      const state = this.#channels.get(channel);
      if (!state || (!state.complete && state.oldest.length < count)) {
        return null;
      }
      known.set(channel, state);
    }
    return { clock: this.#clock, contended: this.#contended, channels: known };
  }

  /** The store as this instance's commit left it. */
  committed(
    clock: Deno.KvEntryMaybe<number>,
    contended: Deno.KvEntryMaybe<number>,
    channels: Map<string, ChannelState>,
  ): void {
    this.#clock = clock;
    this.#contended = contended;
    for (const [channel, state] of channels) {
      this.#channels.delete(channel); // re-inserted last: most recent
      this.#channels.set(channel, state);
    }
    for (const channel of this.#channels.keys()) {
      if (this.#channels.size <= MAX_CHANNELS) break;
      this.#channels.delete(channel);
    }
  }

  forget(): void {
    this.#clock = null;
    this.#contended = null;
    this.#channels.clear();
  }
}

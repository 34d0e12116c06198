/**
 * What a kv store instance knows of the store right after its own last
 * commit, so that its next commit needs no read first (ARCHITECTURE.md, kv).
 * Every key the picture holds is checked by the commit that relies on it: a
 * stale picture costs one refused commit, never a wrong one.
 *
 * @example
 * ```ts
 * const known = new KnownState();
 * const state = known.for(new Map([["room:1", 2]])) ?? await readState(["room:1"]);
 * // … commit with checks on state.clock and each channel's meta and trimmed …
 * known.committed(clockAfter, channelsAfter); // or known.forget() on a conflict
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
  channels: Map<string, ChannelState>;
}

/** Channels remembered at most; the least recently committed are forgotten first. */
const MAX_CHANNELS = 1000;

export class KnownState {
  #clock: Deno.KvEntryMaybe<number> | null = null;
  #channels = new Map<string, ChannelState>();

  /**
   * The state for a commit of `appends` events per channel, or null when the
   * store must be read: nothing is known, a channel is not, or fewer of its
   * oldest entries are known than it adds events (each may push one out).
   */
  for(appends: ReadonlyMap<string, number>): StoreState | null {
    if (!this.#clock) return null;
    const known = new Map<string, ChannelState>();
    for (const [channel, count] of appends) {
      const state = this.#channels.get(channel);
      if (!state || (!state.complete && state.oldest.length < count)) {
        return null;
      }
      known.set(channel, state);
    }
    return { clock: this.#clock, channels: known };
  }

  /** The store as this instance's commit left it. */
  committed(
    clock: Deno.KvEntryMaybe<number>,
    channels: Map<string, ChannelState>,
  ): void {
    this.#clock = clock;
    for (const [channel, state] of channels) {
      this.#channels.delete(channel); // re-inserted last: most recent
      this.#channels.set(channel, state);
    }
    for (const channel of this.#channels.keys()) {
      if (this.#channels.size <= MAX_CHANNELS) break;
      this.#channels.delete(channel);
    }
  }

  /** The clock moved to `versionstamp` (a watch saw it): newer than ours means another writer. */
  saw(versionstamp: string | null): void {
    const ours = this.#clock?.versionstamp;
    if (ours && (versionstamp === null || versionstamp > ours)) this.forget();
  }

  forget(): void {
    this.#clock = null;
    this.#channels.clear();
  }
}

/**
 * Which connection carries which subscription when the origin's channels do not fit
 * one stream: each subscription's channels stay on one connection, as few
 * connections as possible, and a subscription stays where it is while it fits
 * (ARCHITECTURE.md, The browser side). Pure.
 *
 * @module
 */
import { unionOf } from "./channels.ts";

/** A subscription's channels, sorted and without repeats, as one string. */
export function groupKey(channels: Iterable<string>): string {
  return JSON.stringify(unionOf(channels));
}

/** The channels of a {@link groupKey}. */
export function groupChannels(key: string): string[] {
  return JSON.parse(key);
}

/** What one connection carries: its groups' keys and their channels, sorted. */
export interface Bin {
  groups: string[];
  channels: string[];
}

export interface Packing {
  /**
   * One bin per connection; bin `i` continues `previous[i]` (an empty bin:
   * that connection closes), new connections come after.
   */
  bins: Bin[];
  /** Groups with more channels than `cap`: no connection may carry them. */
  tooLarge: string[];
}

/**
 * Packs `groups` (keys) into connections of at most `cap` channels. Groups of
 * `previous` (each connection's keys) stay put; new ones go where they add the
 * fewest channels. When packing afresh needs fewer connections, that packing
 * wins, each bin on the previous connection it shares most channels with
 * (the fewest reopen).
 */
export function packGroups(
  groups: Iterable<string>,
  cap: number,
  previous: readonly (readonly string[])[] = [],
): Packing {
  const wanted = new Set<string>();
  const tooLarge: string[] = [];
  for (const key of groups) {
    if (groupChannels(key).length > cap) tooLarge.push(key);
    else wanted.add(key);
  }
  const kept = previous.map((keys) => keys.filter((k) => wanted.has(k)));
  const stable = place(kept, wanted, cap);
  const fresh = place([], wanted, cap);
  const bins = used(fresh) < used(stable) ? align(fresh, previous) : stable;
  return {
    bins: bins.map((keys) => ({
      groups: [...keys].sort(),
      channels: unionOf(...keys.map(groupChannels)),
    })),
    tooLarge: [...new Set(tooLarge)].sort(),
  };
}

/** Places the groups not yet in `bins`, largest first, best fit, into copies of `bins`. */
function place(
  bins: readonly (readonly string[])[],
  wanted: ReadonlySet<string>,
  cap: number,
): string[][] {
  const out = bins.map((keys) => [...keys]);
  const channels = out.map((keys) => new Set(keys.flatMap(groupChannels)));
  const placed = new Set(out.flat());
  const rest = [...wanted].filter((k) => !placed.has(k))
    .map((key) => ({ key, channels: groupChannels(key) }))
    .sort((a, b) => b.channels.length - a.channels.length || cmp(a.key, b.key));
  for (const group of rest) {
    let best = -1;
    let bestAdded = Infinity;
    for (let i = 0; i < out.length; i++) {
      if (out[i].length === 0) continue; // a closed connection: reuse it last
      const added = group.channels.filter((c) => !channels[i].has(c)).length;
      if (channels[i].size + added <= cap && added < bestAdded) {
        best = i;
        bestAdded = added;
      }
    }
    if (best < 0) {
      best = out.findIndex((keys) => keys.length === 0);
      if (best < 0) {
        best = out.length;
        out.push([]);
        channels.push(new Set());
      }
    }
    out[best].push(group.key);
    for (const c of group.channels) channels[best].add(c);
  }
  return out;
}

/** Puts each fresh bin at the previous index it shares most channels with. */
function align(
  fresh: string[][],
  previous: readonly (readonly string[])[],
): string[][] {
  const out: string[][] = previous.map(() => []);
  const before = previous.map((keys) => new Set(keys.flatMap(groupChannels)));
  const taken = new Set<number>();
  const unmatched: string[][] = [];
  for (const bin of fresh.filter((keys) => keys.length > 0)) {
    const channels = unionOf(...bin.map(groupChannels));
    let best = -1;
    let bestShared = 0;
    before.forEach((had, i) => {
      if (taken.has(i)) return;
      const shared = channels.filter((c) => had.has(c)).length;
      if (shared > bestShared) [best, bestShared] = [i, shared];
    });
    if (best < 0) unmatched.push(bin);
    else {
      taken.add(best);
      out[best] = bin;
    }
  }
  for (const bin of unmatched) {
    const free = out.findIndex((keys, i) => keys.length === 0 && !taken.has(i));
    if (free < 0) out.push(bin);
    else {
      taken.add(free);
      out[free] = bin;
    }
  }
  return out;
}

function used(bins: readonly (readonly string[])[]): number {
  return bins.filter((keys) => keys.length > 0).length;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

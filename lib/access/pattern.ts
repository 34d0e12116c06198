/**
 * Channel patterns of token claims: `*` matches any run of characters; a linear
 * matcher (no RegExp), so no input can make it slow.
 *
 * @example
 * ```ts
 * matchPattern("room:*", "room:lobby"); // true
 * ```
 *
 * @module
 */

/** True when `pattern` matches the whole of `channel`. */
export function matchPattern(pattern: string, channel: string): boolean {
  let p = 0;
  let c = 0;
  let star = -1; // position in pattern after the last `*` seen
  let resume = 0; // position in channel that last `*` is currently absorbing up to
  while (c < channel.length) {
    if (p < pattern.length && pattern[p] === "*") {
      star = ++p;
      resume = c;
    } else if (p < pattern.length && pattern[p] === channel[c]) {
      p++;
      c++;
    } else if (star >= 0) {
      // Let the last `*` absorb one more character and retry from there.
      p = star;
      c = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

/** True when any of `patterns` matches `channel`. */
export function matchesAny(
  patterns: readonly string[],
  channel: string,
): boolean {
  return patterns.some((pattern) => matchPattern(pattern, channel));
}

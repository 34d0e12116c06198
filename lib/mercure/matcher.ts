/**
 * Mercure topics and topic matchers (`*`, `Exact`, `URLPattern`, URI templates), with
 * URL patterns restricted so matching stays cheap (README, Mercure hub).
 *
 * @example
 * ```ts
 * parseMatcher("URLPattern", "https://example.com/books/:id", hubUrl).test("https://example.com/books/1"); // true
 * ```
 *
 * @module
 */
import { HttpError } from "../http/error.ts";

export type MatchType = "Exact" | "URLPattern";

export interface TopicMatcher {
  readonly type: MatchType;
  readonly match: string;
  test(topic: string): boolean;
}

/** Longest topic or matcher, in characters. */
export const MAX_TOPIC_LENGTH = 2048;
/** Most `*` wildcards in one URL pattern. */
export const MAX_WILDCARDS = 1;

// C0, DEL and C1 controls (the spec's forbidden characters).
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Why `text` is not an acceptable topic or matcher, or null when it is. */
export function topicProblem(text: string): string | null {
  if (text === "") return "is empty";
  if (text.length > MAX_TOPIC_LENGTH) {
    return `is longer than ${MAX_TOPIC_LENGTH} characters`;
  }
  if (CONTROL.test(text)) return "contains a control character";
  if (!text.isWellFormed()) return "is not valid UTF-8";
  return null;
}

const EVERY: TopicMatcher = { type: "Exact", match: "*", test: () => true };

/** A matcher of `type`; `*` is the wildcard whatever the type. Throws a message (not an HttpError). */
export function parseMatcher(
  type: MatchType,
  match: string,
  base: string,
): TopicMatcher {
  const problem = topicProblem(match);
  if (problem) throw new MatcherError(`matcher ${problem}`);
  if (match === "*") return EVERY;
  if (type === "Exact") {
    return { type, match, test: (topic) => topic === match };
  }
  return urlPatternMatcher(match, base);
}

/** What a `{var}` expands to: unreserved characters and percent escapes (RFC 6570). */
const VALUE_CLASS = "[A-Za-z0-9\\-._~%]";
const VALUE_CHAR = new RegExp(VALUE_CLASS);

/**
 * The older selector syntax (`topic=` and the `mercure` claim): `*`, an
 * exact topic, or a level-1 URI template whose `{var}` expressions match
 * what a simple expansion yields (one or more unreserved or percent-encoded
 * characters: never `/`, `:`, `?`…). An expression must be followed by the
 * end or by a reserved character, so matching never backtracks.
 */
export function parseSelector(selector: string, base: string): TopicMatcher {
  if (!selector.includes("{")) return parseMatcher("Exact", selector, base);
  const problem = topicProblem(selector);
  if (problem) throw new MatcherError(`selector ${problem}`);
  const parts = selector.split(/\{([A-Za-z0-9_.]+)\}/);
  let source = "^";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (i % 2 === 1) {
      const next = parts[i + 1];
      const adjacent = next === "" && i + 1 < parts.length - 1;
      if (adjacent || (next !== "" && VALUE_CHAR.test(next[0]))) {
        throw new MatcherError(
          "a URI template expression must be followed by the end or a reserved character such as / or :",
        );
      }
      source += `${VALUE_CLASS}+`;
    } else if (/[{}]/.test(part)) {
      throw new MatcherError("selector is not a URI template of {name} parts");
    } else {
      source += part.replace(/[\\^$.*+?()[\]{}|\/]/g, "\\$&");
    }
  }
  const regexp = new RegExp(source + "$");
  return {
    type: "URLPattern",
    match: selector,
    test: (topic) => regexp.test(topic),
  };
}

function urlPatternMatcher(pattern: string, base: string): TopicMatcher {
  checkPatternCost(pattern);
  let compiled: URLPattern;
  try {
    compiled = new URLPattern(pattern, base);
  } catch {
    throw new MatcherError("matcher is not a valid URL pattern");
  }
  // A URLPattern test costs ~10 µs (a call into the runtime): a string
  // compare on the literal host and path prefix turns most misses away first.
  const host = SYNTAX.test(compiled.hostname) ? null : compiled.hostname;
  const pathPrefix = compiled.pathname.split(SYNTAX)[0];
  return {
    type: "URLPattern",
    match: pattern,
    test(topic) {
      const url = parsedTopic(topic, base);
      if (url === null) return false; // a topic that is no URL matches no pattern
      if (host !== null && url.hostname !== host) return false;
      if (!url.pathname.startsWith(pathPrefix)) return false;
      try {
        return compiled.test(topic, base);
      } catch {
        return false;
      }
    },
  };
}

/** Characters with a meaning in a URL pattern component. */
const SYNTAX = /[:*{}()?+\\]/;

// Every stream of the process tests the same update in turn: one parse each.
let lastTopic: { topic: string; base: string; url: URL | null } | null = null;

function parsedTopic(topic: string, base: string): URL | null {
  if (lastTopic?.topic !== topic || lastTopic.base !== base) {
    let url: URL | null = null;
    try {
      url = new URL(topic, base);
    } catch { /* not a URL */ }
    lastTopic = { topic, base, url };
  }
  return lastTopic.url;
}

/**
 * Refuses the parts of the URL pattern syntax whose matching cost can
 * explode: regexp groups and `+`/`*` repeat modifiers (nested repeats), more
 * than one `*` wildcard, and two variable parts (`:name` or `*`) in one path
 * segment (adjacent groups that split the same text many ways).
 */
function checkPatternCost(pattern: string): void {
  let wildcards = 0;
  let inSegment = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\") {
      i++;
      continue;
    }
    if (c === "/") inSegment = 0;
    if (c === "(" || c === ")" || c === "+") {
      throw new MatcherError(
        `URL patterns may not use "${c}" (regexp groups and repeat modifiers are refused)`,
      );
    }
    const before = pattern.slice(0, i);
    if (c === "*") {
      // After "}" or a ":name" it is a repeat modifier, not a wildcard.
      if (before.endsWith("}") || /:[\w$]+$/.test(before)) {
        throw new MatcherError(
          'URL patterns may not use "*" as a repeat modifier',
        );
      }
      if (++wildcards > MAX_WILDCARDS) {
        throw new MatcherError(
          `URL patterns may hold at most ${MAX_WILDCARDS} "*" wildcard`,
        );
      }
    }
    if (c === "*" || (c === ":" && /[A-Za-z_$]/.test(pattern[i + 1] ?? ""))) {
      if (++inSegment > 1) {
        throw new MatcherError(
          "URL patterns may hold one :name or * per path segment",
        );
      }
    }
  }
}

/** A matcher or selector that cannot be used; the message names why. */
export class MatcherError extends Error {}

/** `err` as a 400 for a subscription parameter named `param`. */
export function badMatcher(err: unknown, param: string): HttpError {
  if (err instanceof MatcherError) {
    return new HttpError(400, "invalid_matcher", `${param}: ${err.message}`);
  }
  throw err;
}

/** True when any of `matchers` matches any of `topics`. */
export function matchesAnyTopic(
  matchers: readonly TopicMatcher[],
  topics: readonly string[],
): boolean {
  return matchers.some((m) => topics.some((topic) => m.test(topic)));
}

/**
 * URLPattern's pathname match, answered without it for the plain patterns
 * nearly every route has (literal segments and whole-segment `:params`):
 * `URLPattern.exec` is an op call per pattern tried, the largest item of a
 * publish's profile in the route table. Any other pattern goes to URLPattern.
 *
 * @example
 * ```ts
 * const match = pathMatcher(new URLPattern({ pathname: "/api/channels/:channel" }));
 * match("/api/channels/news"); // { channel: "news" }
 * match("/api/channels/news/"); // null, as URLPattern says
 * ```
 *
 * @module
 */

/** The named groups of a match (undecoded, as URLPattern gives them), or null. */
export type PathMatcher = (pathname: string) => Record<string, string> | null;

/** One segment of a plain pattern: a literal, or a param's name. */
type Segment = { literal: string } | { param: string };

// Characters a literal segment may hold to be compared as is: URLPattern
// canonicalises (percent-encodes) anything else, so those patterns go to it.
const LITERAL = /^[A-Za-z0-9_.~-]+$/;
const PARAM = /^:([A-Za-z_$][\w$]*)$/;

const matchers = new WeakMap<URLPattern, PathMatcher>();
const scopes = new WeakMap<URLPattern, (pathname: string) => boolean>();

/** The segments of a plain pattern, or null when it is not one. */
function plainSegments(source: string): Segment[] | null {
  if (source === "/") return [];
  if (!source.startsWith("/")) return null;
  const segments: Segment[] = [];
  for (const part of source.slice(1).split("/")) {
    const param = PARAM.exec(part);
    if (param) segments.push({ param: param[1] });
    else if (LITERAL.test(part)) segments.push({ literal: part });
    else return null;
  }
  return segments;
}

/** A matcher for `pattern`'s pathname, compiled once per pattern. */
export function pathMatcher(pattern: URLPattern): PathMatcher {
  let matcher = matchers.get(pattern);
  if (matcher) return matcher;
  const segments = plainSegments(pattern.pathname);
  matcher = segments ? plainMatcher(segments) : (pathname) => {
    const match = pattern.exec({ pathname });
    if (!match) return null;
    const groups: Record<string, string> = {};
    for (const [name, value] of Object.entries(match.pathname.groups)) {
      if (value !== undefined && !/^\d+$/.test(name)) groups[name] = value;
    }
    return groups;
  };
  matchers.set(pattern, matcher);
  return matcher;
}

function plainMatcher(segments: Segment[]): PathMatcher {
  if (segments.length === 0) return (pathname) => pathname === "/" ? {} : null;
  return (pathname) => {
    const parts = pathname.split("/");
    // parts[0] is the empty text before the leading slash.
    if (parts[0] !== "" || parts.length !== segments.length + 1) return null;
    const groups: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const part = parts[i + 1];
      const segment = segments[i];
      if ("literal" in segment) {
        if (part !== segment.literal) return null;
      } else if (part === "") {
        return null;
      } else {
        groups[segment.param] = part;
      }
    }
    return groups;
  };
}

/**
 * A test for a middleware's scope pattern (`{base}{/*}?`: the base and all
 * below it), compiled once; other shapes go to URLPattern.
 */
export function scopeTest(pattern: URLPattern): (pathname: string) => boolean {
  let test = scopes.get(pattern);
  if (test) return test;
  // URLPattern gives `{/*}?` back in its canonical form, `/*?`.
  const scope = /^(.*)\/\*\?$/.exec(pattern.pathname);
  const base = scope?.[1];
  if (
    base !== undefined &&
    (base === "" || plainSegments(base)?.every((s) => "literal" in s))
  ) {
    test = (pathname) => pathname === base || pathname.startsWith(base + "/");
  } else {
    test = (pathname) => pattern.test({ pathname });
  }
  scopes.set(pattern, test);
  return test;
}

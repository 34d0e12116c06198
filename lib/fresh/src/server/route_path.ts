/**
 * Route files → URL patterns in Fresh 1.x naming, and the order patterns are tried.
 *
 * @example
 * ```ts
 * routePattern("blog/[slug]"); // "/blog/:slug"
 * ```
 *
 * @module
 */

/** A URL pattern (URLPattern `pathname` syntax) for a route file path without extension. */
export function routePattern(file: string): string {
  const parts: string[] = [];
  const segments = file.split("/");
  segments.forEach((segment, i) => {
    if (/^\(.+\)$/.test(segment)) return; // a group: not in the URL
    if (segment === "index" && i === segments.length - 1) return;
    const rest = /^\[\.\.\.(.*)\]$/.exec(segment);
    if (rest) return parts.push(`/:${identifier(rest[1] || "rest")}*`);
    const optional = /^\[\[(.+)\]\]$/.exec(segment);
    if (optional) return parts.push(`{/:${identifier(optional[1])}}?`);
    let out = "/";
    for (const piece of segment.split(/(\[[^\]]+\])/)) {
      if (!piece) continue;
      const param = /^\[(.+)\]$/.exec(piece);
      out += param ? `:${identifier(param[1])}` : escapePattern(piece);
    }
    parts.push(out);
  });
  return parts.join("") || "/";
}

function identifier(name: string): string {
  return name.replace(/[^\w$]/g, "_");
}

function escapePattern(text: string): string {
  return text.replace(/[:*?+(){}\\]/g, (c) => "\\" + c);
}

/** How specific one segment is: lower is tried first. */
function segmentRank(segment: string): number {
  if (segment.endsWith("*")) return 3; // rest
  // An optional param ranks as a param; where the two patterns differ
  // later, the one that ends (matches without expanding a rest) wins.
  if (segment.startsWith("{") && segment.endsWith("?")) return 2;
  if (/^\/:[\w$]+$/.test(segment)) return 2; // one whole-segment param
  if (/(^|[^\\]):/.test(segment)) return 1; // static text with a param in it
  return 0;
}

function segmentsOf(pattern: string): string[] {
  // Split before each "/" or "{/" that starts a segment.
  return pattern.match(/\{\/[^}]*\}\?|\/[^/{]*/g) ?? [];
}

/**
 * Sort order of two patterns (Fresh's precedence): compared segment by
 * segment, static text beats static text with a param in it, which beats
 * a whole-segment (or optional) param, which beats a rest; a pattern that
 * ends first is the more specific.
 */
export function comparePatterns(a: string, b: string): number {
  const sa = segmentsOf(a);
  const sb = segmentsOf(b);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const ra = i < sa.length ? segmentRank(sa[i]) : -1;
    const rb = i < sb.length ? segmentRank(sb[i]) : -1;
    if (ra !== rb) return ra - rb;
  }
  return 0;
}

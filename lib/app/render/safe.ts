/**
 * Defensive rendering helpers for pages and islands: what is shown is bounded and
 * checked, and a bad event is skipped with a log line.
 *
 * @module
 */

/** Largest time `Date` can hold (±8.64e15 ms). */
const MAX_TIME = 8.64e15;

/** True for a number `new Date()` can format (finite, within Date's range). */
export function validTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) &&
    Math.abs(value) <= MAX_TIME;
}

/** Nested values deeper than this show as `…`. */
const MAX_DEPTH = 6;
/** Members per object or array shown. */
const MAX_MEMBERS = 50;

/**
 * JSON text of `value`, at most `maxChars` long (then `…`), with nesting
 * below {@link MAX_DEPTH} levels cut: never throws, whatever the value.
 */
export function boundedJson(value: unknown, maxChars = 500): string {
  let out = "";
  const write = (v: unknown, depth: number): boolean => {
    if (out.length > maxChars) return false;
    if (v === null || typeof v !== "object") {
      const text = v === undefined ? "null" : JSON.stringify(v) ?? "null";
      out += text.length > maxChars ? text.slice(0, maxChars) : text;
      return true;
    }
    if (depth >= MAX_DEPTH) {
      out += '"…"';
      return true;
    }
    const entries = Array.isArray(v)
      ? v.slice(0, MAX_MEMBERS).map((m) => [null, m] as const)
      : Object.entries(v).slice(0, MAX_MEMBERS);
    out += Array.isArray(v) ? "[" : "{";
    entries.forEach(([key, member], i) => {
      if (i) out += ",";
      if (key !== null) out += `${JSON.stringify(key)}:`;
      write(member, depth + 1);
    });
    out += Array.isArray(v) ? "]" : "}";
    return true;
  };
  write(value, 0);
  return out.length > maxChars ? `${out.slice(0, maxChars)}…` : out;
}

/** A text cut to `max` characters (with `…`). */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Says that a stored or live event was skipped, and why (server log or browser console). */
export function skipped(what: string, id: string, reason: string): null {
  console.warn(`herald: skipped a malformed ${what} event ${id}: ${reason}`);
  return null;
}

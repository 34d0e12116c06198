/**
 * What the public log channel may show of a record's fields: no private channel
 * names, addresses, URLs or error texts (README, Security).
 *
 * @module
 */

const PRIVATE_CHANNEL = /\b(user|private):[A-Za-z0-9_.:-]*/g;
const URL_LIKE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]*/gi;
const IPV4 = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b/g;
/** Fields that name a user. */
const USER_FIELD = /^(sub|user|userId|user_id|member|name)$/i;
/** Fields that hold an error's text. */
const ERROR_FIELD = /^(error|cause|stack|detail)$/i;
/** Deeper than any field Herald logs; below it, values are dropped. */
const MAX_DEPTH = 6;

/** `text` with private channel names and addresses masked. */
export function redactText(text: string): string {
  return text
    .replace(URL_LIKE, "[address]")
    .replace(PRIVATE_CHANNEL, "$1:…")
    .replace(IPV4, "[address]");
}

/** The kind of an error's text ("TypeError: …" → "TypeError"), or "error". */
function errorKind(value: unknown): string {
  const match = /^([A-Za-z_$][\w$]{0,63})(?::|$)/.exec(String(value));
  return match ? match[1] : "error";
}

function redactValue(value: unknown, depth: number): unknown {
  if (typeof value === "string") return redactText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "…";
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1));
  return redactFields(value as Record<string, unknown>, depth + 1);
}

/** The fields as anyone may see them (see the module doc). */
export function redactFields(
  fields: Record<string, unknown>,
  depth = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = ERROR_FIELD.test(key)
      ? errorKind(value)
      : USER_FIELD.test(key)
      ? "…"
      : redactValue(value, depth);
  }
  return out;
}

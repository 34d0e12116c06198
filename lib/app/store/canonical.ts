/**
 * Canonical JSON (sorted keys), so equal values give one string for the store's
 * conditional writes.
 *
 * @module
 */

/** JSON text of `value` with object keys in sorted order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const plain = value as Record<string, unknown>;
    if (typeof (plain as { toJSON?: unknown }).toJSON === "function") {
      return value;
    }
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(plain).sort()) out[k] = sortKeys(plain[k]);
    return out;
  }
  return value;
}

/** Throws on what the store cannot hold: null/undefined values, bad key parts. */
export function checkWrite(key: readonly string[], value: unknown): void {
  checkKey(key);
  if (value === null || value === undefined) {
    throw new TypeError("store values cannot be null or undefined");
  }
}

export function checkKey(key: readonly string[], allowEmpty = false): void {
  if (!allowEmpty && key.length === 0) {
    throw new TypeError("store key needs at least one part");
  }
  for (const part of key) {
    if (typeof part !== "string" || part === "") {
      throw new TypeError(`store key parts must be non-empty strings: ${key}`);
    }
  }
}

/** The absolute expiry time for a write, or null for none. */
export function expiryOf(ttlMs: number | undefined, now = Date.now()) {
  if (ttlMs === undefined) return null;
  if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be > 0, got ${ttlMs}`);
  return now + ttlMs;
}

/** Orders keys part by part, as Deno KV orders string key parts. */
export function compareKeys(a: readonly string[], b: readonly string[]) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return a.length - b.length;
}

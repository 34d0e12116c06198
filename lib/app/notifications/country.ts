/**
 * The sender's country from a CDN's or proxy's header (`HERALD_COUNTRY_HEADER`); only
 * a two-letter code is trusted.
 *
 * @module
 */

export const DEFAULT_COUNTRY_HEADERS = [
  "x-country",
  "cf-ipcountry",
  "x-vercel-ip-country",
] as const;

/** The headers to read: the configured ones (comma-separated) or the defaults. */
export function countryHeaders(configured?: string | null): string[] {
  const names = (configured ?? "").split(",").map((h) => h.trim().toLowerCase())
    .filter(Boolean);
  return names.length ? names : [...DEFAULT_COUNTRY_HEADERS];
}

/** An ISO 3166-1 alpha-2 code in upper case, or null. */
export function countryOf(
  req: Request,
  headers: readonly string[],
): string | null {
  for (const name of headers) {
    const value = req.headers.get(name)?.trim().toUpperCase();
    if (!value) continue;
    return /^[A-Z]{2}$/.test(value) && value !== "XX" && value !== "T1"
      ? value
      : null;
  }
  return null;
}

/** The flag emoji of a two-letter code (regional indicator symbols). */
export function flagOf(code: string): string {
  return String.fromCodePoint(
    ...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65),
  );
}

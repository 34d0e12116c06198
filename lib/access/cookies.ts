/**
 * Reads the `Cookie` request header; malformed pairs are skipped, never thrown.
 *
 * @module
 */

/** Cookie name → value (the first occurrence of a name wins). */
export function parseCookies(headers: Headers): Map<string, string> {
  const cookies = new Map<string, string>();
  const header = headers.get("cookie");
  if (!header) return cookies;
  for (const pair of header.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) {
      value = value.slice(1, -1);
    }
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/**
 * Tests that need a real part (Redis, Chromium) skip visibly when it is
 * missing, except under `CI=true`, where a missing part is a failure.
 *
 * @example
 * ```ts
 * const redisUrl = await requireRedis();
 * Deno.test({ name: "…", ignore: !redisUrl, fn: async () => {} });
 * ```
 * @module
 */

/** True when running in CI, where nothing may be skipped. */
export const IN_CI = Deno.env.get("CI") === "true";

/** Returns `available`; when false, warns (or, under CI, throws) naming the part. */
export function requirement(
  available: boolean,
  part: string,
  hint: string,
): boolean {
  if (available) return true;
  const message = `${part} is not available (${hint})`;
  if (IN_CI) throw new Error(`${message}: CI=true does not allow skipping`);
  console.warn(`%cSKIPPING tests that need ${message}`, "color: yellow");
  return false;
}

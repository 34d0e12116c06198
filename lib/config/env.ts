/**
 * The one reader of configuration variables: a bad value fails at startup with an
 * error naming the variable and the value.
 *
 * @example
 * ```ts
 * envInt({ HERALD_HEARTBEAT_MS: "5000" }, "HERALD_HEARTBEAT_MS", 15_000); // 5000
 * ```
 *
 * @module
 */

/** Where variables come from: `Deno.env` or a plain record (tests). */
export type EnvSource =
  | { get(name: string): string | undefined }
  | Record<string, string | undefined>;

function read(env: EnvSource, name: string): string | undefined {
  return typeof env.get === "function"
    ? (env as { get(name: string): string | undefined }).get(name)
    : (env as Record<string, string | undefined>)[name];
}

/** The trimmed value, or undefined when unset or blank. */
export function envValue(env: EnvSource, name: string): string | undefined {
  const value = read(env, name)?.trim();
  return value ? value : undefined;
}

/** A whole number ≥ `min` (default 1), or `fallback` when unset. */
export function envInt<T extends number | undefined>(
  env: EnvSource,
  name: string,
  fallback: T,
  { min = 1 }: { min?: number } = {},
): number | T {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(value) || value < min) {
    throw new Error(
      `${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/** A number ≥ `min` (default 0; fractions allowed), or `fallback` when unset. */
export function envNumber(
  env: EnvSource,
  name: string,
  fallback: number,
  { min = 0 }: { min?: number } = {},
): number {
  const raw = envValue(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) {
    throw new Error(
      `${name} must be a number ≥ ${min}, got ${JSON.stringify(raw)}`,
    );
  }
  return value;
}

/**
 * A comma-separated list (blank items dropped), or `fallback` when unset.
 * Set but blank is the empty list: a way to switch a default list off.
 */
export function envList(
  env: EnvSource,
  name: string,
  fallback: string[],
): string[] {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

const ON = ["on", "1", "true", "yes"];
const OFF = ["off", "0", "false", "no"];

/** on/1/true/yes or off/0/false/no (any case), or `fallback` when unset. */
export function envFlag(
  env: EnvSource,
  name: string,
  fallback: boolean,
): boolean {
  const raw = envValue(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (ON.includes(raw)) return true;
  if (OFF.includes(raw)) return false;
  throw new Error(`${name} must be on or off, got ${JSON.stringify(raw)}`);
}

/** One of `choices` (any case), or `fallback` when unset. */
export function envChoice<T extends string>(
  env: EnvSource,
  name: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = envValue(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new Error(
    `${name} must be one of ${choices.join(", ")}, got ${JSON.stringify(raw)}`,
  );
}

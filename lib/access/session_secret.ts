/**
 * The session secret when `HERALD_SESSION_SECRET` is not set: generated once per
 * deployment and kept in the app store.
 *
 * @module
 */
import { randomSecret } from "./session.ts";

/** The part of a key-value store the secret needs (the app store has it). */
export interface SecretStore {
  get<T = unknown>(key: readonly string[]): Promise<T | null>;
  setIfAbsent(key: readonly string[], value: unknown): Promise<boolean>;
}

const SESSION_SECRET_KEY = ["access", "session-secret"];

/** The stored secret (written first if absent); a per-process one when the store fails. */
export async function storedSessionSecret(store: SecretStore): Promise<string> {
  try {
    await store.setIfAbsent(SESSION_SECRET_KEY, await randomSecret());
    const secret = await store.get<string>(SESSION_SECRET_KEY);
    if (secret) return secret;
  } catch (err) {
    console.warn(
      `session secret not stored (${err}); using one for this process`,
    );
  }
  return await randomSecret();
}

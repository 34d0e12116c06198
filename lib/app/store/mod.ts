/**
 * The app store: one per process, created from the environment on first use.
 * Routes call {@link getAppStore}; tests create their own with `createStore`.
 *
 * @example
 * ```ts
 * import { getAppStore } from "../lib/app/store/mod.ts";
 * const store = await getAppStore();
 * const rooms = await store.list(["chat", "rooms"]);
 * ```
 * @module
 */
import type { AppStore } from "./types.ts";
import { storeFromEnv } from "./create.ts";

export type {
  AppStore,
  StoreEntry,
  StoreKey,
  StoreKind,
  WriteOptions,
} from "./types.ts";
export {
  createStore,
  storeFromEnv,
  type StoreOptions,
  storeOptionsFromEnv,
} from "./create.ts";

let shared: Promise<AppStore> | null = null;

/** The process's store (created on first call from `Deno.env`). */
export function getAppStore(): Promise<AppStore> {
  shared ??= storeFromEnv();
  return shared;
}

/** Closes the process's store; the next {@link getAppStore} opens a new one. */
export async function closeAppStore(): Promise<void> {
  const current = shared;
  shared = null;
  if (current) await (await current).close();
}

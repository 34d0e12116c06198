/**
 * The app store: built once at start (lib/app/services.ts) from the
 * environment with {@link storeFromEnv}; routes find it in `ctx.state.store`,
 * tests create their own with `createStore`.
 *
 * @example
 * ```ts
 * const store = await createStore({ kind: "memory" });
 * const rooms = await store.list(["chat", "rooms"]);
 * ```
 * @module
 */
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

/**
 * The app store: built once at start (lib/app/services.ts), found by routes in
 * `ctx.state.store`; tests create their own with `createStore`.
 *
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

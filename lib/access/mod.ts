/**
 * The access-control API the HTTP layer uses; one {@link Access} is built at start
 * (lib/app/services.ts) and reaches routes through `ctx.state`.
 *
 * @module
 */
export {
  type Access,
  type AccessOptions,
  createAccess,
  type Principal,
  type RequestInfo,
} from "./access.ts";
export { type AccessConfig, accessConfigFromEnv } from "./config.ts";
export type { Action } from "./policy.ts";
export type { Session } from "./session.ts";
export { type SecretStore, storedSessionSecret } from "./session_secret.ts";

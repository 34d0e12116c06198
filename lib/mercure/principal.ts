/**
 * The {@link Principal} of a Mercure request, so Herald's stream and publish limits
 * count Mercure clients like any other.
 *
 * @module
 */
import type { Access, Principal, RequestInfo } from "../access/access.ts";
import type { MercureGrant } from "./claims.ts";

export function principalOf(
  req: Request,
  access: Access,
  grant: MercureGrant | null,
  info?: RequestInfo,
): Principal {
  return {
    sub: grant?.sub ?? null,
    ip: access.clientIp(req, info),
    via: grant ? "token" : "anonymous",
    token: grant
      ? { sub: grant.sub, subscribe: [], publish: [], key: grant.key }
      : null,
    session: null,
  };
}

/**
 * The gate of the admin's routes (`/metrics`, `/admin`, `/api/channels`): 404 without
 * `HERALD_ADMIN_TOKEN`, 401 without the admin's credential.
 *
 * @module
 */
import type { Access } from "../../access/access.ts";
import { errorResponse, HttpError } from "../../http/error.ts";

/** True when an admin token is configured (the admin's routes exist). */
export function adminEnabled(access: Access): boolean {
  return access.config.adminToken !== null;
}

/** The refusal for a request that is not the admin's, or null to go on. */
export async function refuseNonAdmin(
  req: Request,
  access: Access,
): Promise<Response | null> {
  if (!adminEnabled(access)) {
    return errorResponse(new HttpError(404, "not_found", "not found"));
  }
  if (await access.isAdmin(req)) return null;
  return errorResponse(
    new HttpError(401, "unauthorized", "the admin token is required", {
      "www-authenticate": "Bearer",
    }),
  );
}

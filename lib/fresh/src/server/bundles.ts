/**
 * Serves the build snapshot's bundles at `/_frsh/js/{buildId}/{file}`, cached forever
 * (the build id changes with every build).
 *
 * @module
 */
import type { BuildSnapshot } from "../types.ts";
import { contentType } from "./content_type.ts";
import { safeSegments } from "./static_files.ts";

export const BUNDLE_PREFIX = "/_frsh/js/";

/** The bundle file for `pathname`, or null when it is not one of this build's. */
export async function serveBundle(
  snapshot: BuildSnapshot,
  req: Request,
  pathname: string,
): Promise<Response | null> {
  const prefix = `${BUNDLE_PREFIX}${snapshot.buildId}/`;
  if (!pathname.startsWith(prefix)) return null;
  const segments = safeSegments(pathname.slice(prefix.length));
  if (!segments || segments.length === 0) return null;
  const path = segments.join("/");
  const bytes = await snapshot.read(path);
  if (!bytes) return null;
  return new Response(
    req.method === "HEAD" ? null : bytes as Uint8Array<ArrayBuffer>,
    {
      headers: {
        "content-type": contentType(path),
        "cache-control": "public, max-age=31536000, immutable",
        "content-length": String(bytes.byteLength),
      },
    },
  );
}

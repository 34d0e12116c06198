/**
 * The one reader of the app's form posts (JSON, URL-encoded or multipart, or JSON
 * sent as text by `sendBeacon`), with a byte limit.
 *
 * @module
 */
import { HttpError } from "./error.ts";
import { readBodyLimited } from "./body.ts";

/** App forms are small; a chat message is at most 1000 characters. */
export const MAX_FORM_BYTES = 16 * 1024;

const contentType = (req: Request) =>
  (req.headers.get("content-type") ?? "").toLowerCase();

/** True when the caller is an island (JSON), false for a plain HTML form. */
export function wantsJson(req: Request): boolean {
  const type = contentType(req);
  return type.includes("application/json") || type.startsWith("text/plain") ||
    (req.headers.get("accept") ?? "").includes("application/json");
}

export async function readFields(
  req: Request,
  limit = MAX_FORM_BYTES,
): Promise<Record<string, unknown>> {
  const type = contentType(req);
  if (
    type.includes("application/x-www-form-urlencoded") ||
    type.includes("multipart/form-data")
  ) {
    const bytes = await readBodyLimited(req, limit);
    try {
      const form = await new Response(bytes, {
        headers: { "content-type": type },
      }).formData();
      return Object.fromEntries(
        [...form].filter(([, v]) => typeof v === "string"),
      );
    } catch {
      throw new HttpError(400, "invalid_body", "The form could not be read.");
    }
  }
  const bytes = await readBodyLimited(req, limit);
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "The body is not valid JSON.");
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", "The body must be a JSON object.");
  }
  return body as Record<string, unknown>;
}

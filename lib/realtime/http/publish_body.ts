/**
 * Turns a publish request body (JSON `{event?, data}`, or a form) into the message to
 * publish, read with the payload limit.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { readBodyLimited } from "../../http/body.ts";
import { parseEventName } from "./validate.ts";

export interface PublishBody {
  event?: string;
  data: unknown;
  /** True for an HTML form post (answered with a redirect). */
  form: boolean;
  /** The form's `redirect` field, unchecked. */
  redirect?: string;
}

/** Form fields that steer the request and never become data. */
const CONTROL_FIELDS = new Set(["event", "data", "redirect", "token"]);

export function mediaType(req: Request): string {
  return (req.headers.get("content-type") ?? "").split(";")[0].trim()
    .toLowerCase();
}

export function isJson(type: string): boolean {
  return type === "application/json" ||
    /^application\/[\w.+-]+\+json$/.test(type);
}

function isForm(type: string): boolean {
  return type === "application/x-www-form-urlencoded" ||
    type === "multipart/form-data";
}

export async function readPublishBody(
  req: Request,
  limit: number,
): Promise<PublishBody> {
  const type = mediaType(req);
  if (!isJson(type) && !isForm(type)) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(
      415,
      "unsupported_media_type",
      `${
        type ? `${type} is not accepted` : "the body has no Content-Type"
      }: send application/json, application/x-www-form-urlencoded or multipart/form-data`,
    );
  }
  const bytes = await readBodyLimited(req, limit);
  if (type === "application/x-www-form-urlencoded") refuseJsonAsForm(bytes);
  return isJson(type) ? parseJson(bytes) : await parseForm(req, bytes);
}

/**
 * `curl -d '{"data":1}'` sends JSON labelled as a form; parsed as one, it
 * would publish `{"{\"data\":1}": ""}`. No browser form encodes a body
 * that is a JSON object or array, so such a body is refused, naming the fix.
 */
function refuseJsonAsForm(bytes: Uint8Array): void {
  const text = new TextDecoder().decode(bytes).trim();
  if (!/^[[{]/.test(text)) return;
  try {
    JSON.parse(text);
  } catch {
    return;
  }
  throw new HttpError(
    415,
    "unsupported_media_type",
    "the body is JSON but is labelled application/x-www-form-urlencoded (curl -d's default): send Content-Type: application/json",
  );
}

function parseJson(bytes: Uint8Array): PublishBody {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new HttpError(400, "invalid_json", "the body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(
      400,
      "invalid_body",
      'the body must be an object {"event"?, "data"}',
    );
  }
  if (!("data" in body)) {
    throw new HttpError(400, "missing_data", 'the body needs a "data" field');
  }
  const { event, data } = body as { event?: unknown; data: unknown };
  return { event: parseEventName(event), data, form: false };
}

async function parseForm(
  req: Request,
  bytes: Uint8Array<ArrayBuffer>,
): Promise<PublishBody> {
  let fields: FormData;
  try {
    // A Request over the already limited bytes: the platform parses them.
    fields = await new Request(req.url, {
      method: "POST",
      headers: { "content-type": req.headers.get("content-type") ?? "" },
      body: bytes,
    }).formData();
  } catch {
    throw new HttpError(400, "invalid_form", "the form body cannot be parsed");
  }
  const text = (name: string) => {
    const value = fields.get(name);
    return typeof value === "string" ? value : undefined;
  };
  let data: unknown = text("data");
  if (data === undefined) {
    const object: Record<string, string | string[]> = {};
    for (const [name, value] of fields) {
      if (CONTROL_FIELDS.has(name)) continue;
      if (typeof value !== "string") {
        throw new HttpError(
          400,
          "invalid_form",
          "file uploads are not accepted",
        );
      }
      const prior = object[name];
      object[name] = prior === undefined
        ? value
        : [...(Array.isArray(prior) ? prior : [prior]), value];
    }
    data = object;
  }
  return {
    event: parseEventName(text("event")),
    data,
    form: true,
    redirect: text("redirect"),
  };
}

/**
 * The Mercure publish form (`topic`, `data`, `private`, `id`, `type`, `retry`), read
 * with Herald's payload limit; every broken field is a 400 naming it.
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import { readBodyLimited } from "../http/body.ts";
import { topicProblem } from "./matcher.ts";
import type { Update } from "./update.ts";

/** Most `topic` fields of one update. */
export const MAX_TOPICS = 32;
/** Longest publisher-chosen id and type, in characters. */
export const MAX_ID_LENGTH = 512;

const FORM = "application/x-www-form-urlencoded";
// deno-lint-ignore no-control-regex
const LINE_OR_NUL = /[\r\n\u0000]/;

function invalid(message: string): HttpError {
  return new HttpError(400, "invalid_request", message);
}

export async function readPublishForm(
  req: Request,
  limit: number,
  hubUrl: string,
): Promise<Update> {
  const type = (req.headers.get("content-type") ?? "").split(";")[0].trim()
    .toLowerCase();
  if (type !== FORM) {
    await req.body?.cancel().catch(() => {});
    throw new HttpError(
      415,
      "unsupported_media_type",
      `a Mercure publish is sent as ${FORM}`,
    );
  }
  const bytes = await readBodyLimited(req, limit);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw invalid("the form is not valid UTF-8");
  }
  return parsePublishForm(new URLSearchParams(text), hubUrl);
}

/** The update in `fields`; throws 400 (403 for a topic in the hub's own namespace). */
export function parsePublishForm(
  fields: URLSearchParams,
  hubUrl: string,
): Update {
  const topics = fields.getAll("topic");
  if (topics.length === 0) throw invalid("the form needs a topic field");
  if (topics.length > MAX_TOPICS) {
    throw invalid(`at most ${MAX_TOPICS} topic fields`);
  }
  for (const topic of topics) {
    const problem = topicProblem(topic);
    if (problem) throw invalid(`topic ${problem}`);
    if (inHubNamespace(topic, hubUrl)) {
      throw new HttpError(
        403,
        "reserved_topic",
        "topics under /.well-known/mercure are the hub's own",
      );
    }
  }
  const update: Update = {
    topics: [...new Set(topics)],
    data: fields.get("data") ?? "",
    private: fields.has("private"),
  };
  const id = fields.get("id");
  if (id !== null && id !== "") {
    if (id.startsWith("#") || LINE_OR_NUL.test(id)) {
      throw invalid("id must not start with # or contain CR, LF or NUL");
    }
    if (id.length > MAX_ID_LENGTH) {
      throw invalid(`id is longer than ${MAX_ID_LENGTH} characters`);
    }
    update.id = id;
  }
  const eventType = fields.get("type");
  if (eventType !== null && eventType !== "") {
    if (LINE_OR_NUL.test(eventType) || eventType.length > MAX_ID_LENGTH) {
      throw invalid(
        `type must be at most ${MAX_ID_LENGTH} characters without CR, LF or NUL`,
      );
    }
    update.type = eventType;
  }
  const retry = fields.get("retry");
  if (retry !== null && retry !== "") {
    const ms = Number(retry);
    if (!/^\d+$/.test(retry) || !Number.isSafeInteger(ms)) {
      throw invalid("retry must be ASCII digits (milliseconds)");
    }
    update.retry = ms;
  }
  return update;
}

/** Whether `topic`, resolved against the hub's URL, has a path under `/.well-known/mercure`. */
function inHubNamespace(topic: string, hubUrl: string): boolean {
  let path: string;
  try {
    path = new URL(topic, hubUrl).pathname;
  } catch {
    return false;
  }
  return path === "/.well-known/mercure" ||
    path.startsWith("/.well-known/mercure/");
}

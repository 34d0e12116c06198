/**
 * Where a Mercure subscription resumes: `earliest`, a hub id (`#…`), or a publisher's
 * id looked up in history (README, Mercure hub).
 *
 * @module
 */
import { HttpError } from "../http/error.ts";
import { isEventId } from "../realtime/brokers/event_id.ts";
import type { Broker, HeraldEvent } from "../realtime/types.ts";
import type { HistoryGate } from "../realtime/history/gate.ts";
import { MAX_ID_LENGTH } from "./publish_form.ts";
import { storedUpdate } from "./update.ts";

/** The lowest possible Herald id: resuming after it replays all of history. */
export const BEFORE_EVERYTHING = "0000000000000000-0000";
/** Most events read per channel to find a publisher-chosen id. */
export const MAX_RESUME_SCAN = 10_000;
const SCAN_PAGE = 500;

export interface ResumePoint {
  /** The Herald id to resume after. */
  after: string;
  /** The value of the answer's `Last-Event-ID` header. */
  header: string;
}

/** The requested id, or null when the subscriber asked for no resume. */
export function requestedId(req: Request): string | null {
  const params = new URL(req.url).searchParams;
  const value = req.headers.get("last-event-id") ??
    params.get("lastEventID") ?? params.get("last_event_id") ??
    params.get("lastEventId");
  if (value === null || value === "") return null;
  if (value.length > MAX_ID_LENGTH) {
    throw new HttpError(
      400,
      "invalid_request",
      `Last-Event-ID is longer than ${MAX_ID_LENGTH} characters`,
    );
  }
  return value;
}

/**
 * Where to resume. A publisher id's lookup holds a slot of `gate` (the
 * history reads in progress per process); with none free it is a 503, which
 * a stream answers with `retry:` (the client comes back shortly).
 */
export async function resumePoint(
  broker: Broker,
  channels: readonly string[],
  requested: string,
  visible: (event: HeraldEvent) => boolean,
  gate?: HistoryGate,
): Promise<ResumePoint> {
  const everything = { after: BEFORE_EVERYTHING, header: "earliest" };
  if (requested === "earliest") return everything;
  if (requested.startsWith("#")) {
    const id = requested.slice(1);
    return isEventId(id) ? { after: id, header: requested } : everything;
  }
  const release = gate ? gate.tryAcquire() : () => {};
  if (!release) {
    throw new HttpError(
      503,
      "history_busy",
      "too many history reads in progress; try again shortly",
      { "retry-after": "1" },
    );
  }
  let found: string | null = null;
  try {
    for (const channel of channels) {
      const id = await findPublisherId(broker, channel, requested, visible);
      if (id !== null && (found === null || id > found)) found = id;
    }
  } finally {
    release();
  }
  return found === null ? everything : { after: found, header: requested };
}

/** The Herald id of the newest visible update on `channel` whose publisher id is `wanted`. */
async function findPublisherId(
  broker: Broker,
  channel: string,
  wanted: string,
  visible: (event: HeraldEvent) => boolean,
): Promise<string | null> {
  let before: string | undefined;
  for (let scanned = 0; scanned < MAX_RESUME_SCAN; scanned += SCAN_PAGE) {
    const page = await broker.history(channel, { before, limit: SCAN_PAGE });
    for (let i = page.length - 1; i >= 0; i--) {
      const event = page[i];
      if (storedUpdate(event)?.id === wanted && visible(event)) return event.id;
    }
    if (page.length < SCAN_PAGE) return null;
    before = page[0].id;
  }
  return null;
}

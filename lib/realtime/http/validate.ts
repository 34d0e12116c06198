/**
 * Input rules of the HTTP API (channel and event names, `Last-Event-ID`, history
 * bounds), each failing with a 400 that names the problem.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { isEventId } from "../brokers/event_id.ts";

const CHANNEL = /^[A-Za-z0-9_.:-]{1,128}$/;
const EVENT_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;

/**
 * Event names publishers may not use: `gap` is the server's own notice, and
 * `error` and `open` are the EventSource's own events — an `event: error` on
 * the wire runs the page's `onerror` handler as if the connection had failed.
 */
export const RESERVED_EVENTS: ReadonlySet<string> = new Set([
  "gap",
  "error",
  "open",
]);

/** A valid channel name, or a 400. Percent-encoded names are decoded once. */
export function parseChannel(raw: string | null | undefined): string {
  let name = raw ?? "";
  if (name.includes("%")) {
    try {
      name = decodeURIComponent(name);
    } catch { /* stays invalid below */ }
  }
  if (!CHANNEL.test(name)) {
    throw new HttpError(
      400,
      "invalid_channel",
      "channel names are 1-128 characters of A-Z a-z 0-9 _ . : -",
    );
  }
  return name;
}

/** A valid event name (or undefined when absent), or a 400. */
export function parseEventName(raw: unknown): string | undefined {
  if (raw === undefined || raw === null || raw === "") return undefined;
  if (typeof raw !== "string" || !EVENT_NAME.test(raw)) {
    throw new HttpError(
      400,
      "invalid_event",
      "event names are 1-64 characters of A-Z a-z 0-9 _ . : -",
    );
  }
  if (RESERVED_EVENTS.has(raw)) {
    throw new HttpError(
      400,
      "invalid_event",
      `event name "${raw}" is reserved`,
    );
  }
  return raw;
}

function parseId(raw: string, code: string, what: string): string {
  if (!isEventId(raw)) {
    throw new HttpError(400, code, `${what} is not a Herald event id`);
  }
  return raw;
}

/**
 * The resume position: the `Last-Event-ID` header (sent by EventSource on
 * reconnect, so it wins), else the `lastEventId` query parameter, else null.
 */
export function readLastEventId(req: Request): string | null {
  const header = req.headers.get("last-event-id")?.trim();
  if (header) return parseId(header, "invalid_last_event_id", "Last-Event-ID");
  const query = new URL(req.url).searchParams.get("lastEventId")?.trim();
  if (query) return parseId(query, "invalid_last_event_id", "lastEventId");
  return null;
}

/** The `after` (or `before`) query parameter of the history endpoint, or undefined. */
export function parseAfter(
  raw: string | null,
  name: "after" | "before" = "after",
): string | undefined {
  if (raw === null || raw === "") return undefined;
  return parseId(raw, `invalid_${name}`, name);
}

/** The `limit` query parameter: an integer in 1..max, default `fallback`. */
export function parseLimit(
  raw: string | null,
  max: number,
  fallback: number,
): number {
  if (raw === null || raw === "") return Math.min(fallback, max);
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > max) {
    throw new HttpError(
      400,
      "invalid_limit",
      `limit must be an integer from 1 to ${max}`,
    );
  }
  return n;
}

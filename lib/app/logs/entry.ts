/**
 * Log entries as /logs shows them and the batches they travel in, as events named
 * `log:{level}` (a bare `error` would reach an EventSource as its own error).
 *
 * @module
 */
import type { HeraldEvent } from "../../realtime/types.ts";
import { boundedJson, clip, skipped, validTime } from "../render/safe.ts";

/** Herald's own log channel. */
export const LOG_CHANNEL = "herald.logs";
/** The admin's log channel: every record in full (see relay.ts). */
export const DETAIL_LOG_CHANNEL = "private:herald.logs";
export const LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = typeof LEVELS[number];

/** The event name a level's batches are published under. */
export function logEventName(level: LogLevel): string {
  return `log:${level}`;
}

/** Every log event name, for subscribing. */
export const LOG_EVENTS: string[] = LEVELS.map(logEventName);

/** A field's value as the page shows it: nested values become bounded JSON text. */
export type FieldValue = string | number | boolean | null;

export interface LogEntry {
  /** Unique within the page: the batch's event id and the index in it. */
  key: string;
  time: number;
  level: LogLevel;
  message: string;
  fields: Record<string, FieldValue>;
}

/** One published batch. */
export interface LogBatch {
  entries: { time: number; message: string; fields: Record<string, unknown> }[];
  /** Records left out of this batch because a storm exceeded the cap. */
  dropped: number;
}

function isLevel(value: unknown): value is LogLevel {
  return (LEVELS as readonly unknown[]).includes(value);
}

/** Longest message and field text shown; most fields per entry. */
const MAX_MESSAGE = 2000;
const MAX_FIELD = 500;
const MAX_FIELDS = 30;

/** An entry's fields, flat and bounded (whatever a stored batch holds). */
function flatFields(raw: unknown): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) return out;
  for (const [key, value] of Object.entries(raw).slice(0, MAX_FIELDS)) {
    out[clip(key, 64)] = typeof value === "string"
      ? clip(value, MAX_FIELD)
      : typeof value === "boolean" || value === null ||
          (typeof value === "number" && Number.isFinite(value))
      ? value
      : boundedJson(value, MAX_FIELD);
  }
  return out;
}

/**
 * The entries of one batch event, checked: a malformed batch gives none and
 * a malformed entry (no text message, a time `Date` cannot show) is left
 * out, each with a log line; fields come back flat and bounded.
 */
export function entriesOf(e: HeraldEvent): LogEntry[] {
  const level = e.event.replace(/^log:/, "");
  if (!isLevel(level)) return [];
  const batch = e.data as Partial<LogBatch> | null;
  if (!batch || typeof batch !== "object" || !Array.isArray(batch.entries)) {
    skipped("log", e.id, "not a log batch");
    return [];
  }
  const entries: LogEntry[] = [];
  batch.entries.forEach((r: unknown, i) => {
    const record = r as Partial<LogBatch["entries"][number]> | null;
    const time = record?.time ?? e.time;
    if (typeof record?.message !== "string" || !validTime(time)) {
      skipped("log", `${e.id}:${i}`, "no message or an impossible time");
      return;
    }
    entries.push({
      key: `${e.id}:${i}`,
      time,
      level,
      message: clip(record.message, MAX_MESSAGE),
      fields: flatFields(record.fields),
    });
  });
  const dropped = batch.dropped;
  if (typeof dropped === "number" && Number.isFinite(dropped) && dropped > 0) {
    entries.push({
      key: `${e.id}:dropped`,
      time: validTime(e.time) ? e.time : 0,
      level: "warn",
      message: `${Math.floor(dropped)} log records left out (too many at once)`,
      fields: {},
    });
  }
  return entries;
}

/** Keeps the newest `max` entries. */
export function keepLast<T>(list: T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : list;
}

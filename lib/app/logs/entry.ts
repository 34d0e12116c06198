/**
 * Log entries as the /logs page shows them, and the batches they travel in:
 * the relay publishes one event per level and flush, named after the level
 * (`log:info`, `log:warn`, `log:error`), whose data is {@link LogBatch}.
 * Not the bare level: an SSE event named `error` (or `open`) would reach an
 * EventSource as its own connection error and break the page's stream.
 *
 * @module
 */
import type { HeraldEvent } from "../../realtime/types.ts";

/** Herald's own log channel. */
export const LOG_CHANNEL = "herald.logs";
export const LEVELS = ["info", "warn", "error"] as const;
export type LogLevel = typeof LEVELS[number];

/** The event name a level's batches are published under. */
export function logEventName(level: LogLevel): string {
  return `log:${level}`;
}

/** Every log event name, for subscribing. */
export const LOG_EVENTS: string[] = LEVELS.map(logEventName);

export interface LogEntry {
  /** Unique within the page: the batch's event id and the index in it. */
  key: string;
  time: number;
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
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

/** The entries of one batch event (a malformed one gives none). */
export function entriesOf(e: HeraldEvent): LogEntry[] {
  const level = e.event.replace(/^log:/, "");
  if (!isLevel(level)) return [];
  const batch = e.data as Partial<LogBatch> | null;
  const list = Array.isArray(batch?.entries) ? batch.entries : [];
  const entries: LogEntry[] = list.map((r, i) => ({
    key: `${e.id}:${i}`,
    time: typeof r?.time === "number" ? r.time : e.time,
    level,
    message: String(r?.message ?? ""),
    fields: r?.fields && typeof r.fields === "object" ? r.fields : {},
  }));
  if (typeof batch?.dropped === "number" && batch.dropped > 0) {
    entries.push({
      key: `${e.id}:dropped`,
      time: e.time,
      level: "warn",
      message: `${batch.dropped} log records left out (too many at once)`,
      fields: {},
    });
  }
  return entries;
}

/** Keeps the newest `max` entries. */
export function keepLast<T>(list: T[], max: number): T[] {
  return list.length > max ? list.slice(list.length - max) : list;
}

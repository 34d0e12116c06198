/**
 * Herald's own log records (streams, publishes, errors): a tiny typed emitter and a
 * bounded list of recent records; fields that look like secrets are dropped.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";

export type HeraldLogLevel = "info" | "warn" | "error";

export interface HeraldLogRecord {
  /** Milliseconds since the epoch. */
  time: number;
  level: HeraldLogLevel;
  message: string;
  fields: Record<string, unknown>;
}

export type HeraldLogListener = (record: HeraldLogRecord) => void;

/** How many records {@link recentHeraldLogs} keeps. */
export const RECENT_LOG_LIMIT = 200;

const listeners = new Set<HeraldLogListener>();
/** The id of the request being answered, for every record logged meanwhile. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `fn` with `id` as the request id of every record it logs. */
export function withRequestId<T>(id: string, fn: () => T): T {
  return requestIds.run(id, fn);
}
const recent: HeraldLogRecord[] = [];
const SECRET_FIELD = /token|authorization|cookie|secret|password/i;

/** Calls `listener` for every record from now on; returns the unsubscribe function. */
export function onHeraldLog(listener: HeraldLogListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The latest records, oldest first (at most {@link RECENT_LOG_LIMIT}). */
export function recentHeraldLogs(): HeraldLogRecord[] {
  return recent.slice();
}

/** Emits one record to every listener; a failing listener never breaks the caller. */
export function heraldLog(
  level: HeraldLogLevel,
  message: string,
  fields: Record<string, unknown> = {},
): void {
  const safe: Record<string, unknown> = {};
  const requestId = requestIds.getStore();
  if (requestId !== undefined) safe.requestId = requestId;
  for (const [key, value] of Object.entries(fields)) {
    if (!SECRET_FIELD.test(key)) safe[key] = value;
  }
  const record: HeraldLogRecord = {
    time: Date.now(),
    level,
    message,
    fields: safe,
  };
  recent.push(record);
  if (recent.length > RECENT_LOG_LIMIT) recent.shift();
  for (const listener of listeners) {
    try {
      listener(record);
    } catch {
      // A broken log view must not take down a stream or a publish.
    }
  }
}

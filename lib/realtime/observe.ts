/**
 * Herald's own log events (stream opened/closed, publish, errors), for the
 * /logs page and for tests. A tiny typed emitter plus a bounded list of the
 * most recent records. Field names that look like secrets are dropped so a
 * token or cookie never reaches a listener; callers log paths, never query
 * strings.
 *
 * @example
 * ```ts
 * const stop = onHeraldLog((r) => console.log(r.level, r.message, r.fields));
 * heraldLog("info", "stream opened", { channels: ["news"] });
 * stop();
 * ```
 * @module
 */

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

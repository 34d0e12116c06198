/**
 * Herald's own log records (streams, publishes, errors): one {@link HeraldLog} per app,
 * built in the composition root; fields that look like secrets are dropped.
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

/** How many records {@link HeraldLog.recent} keeps. */
export const RECENT_LOG_LIMIT = 200;

const SECRET_FIELD = /token|authorization|cookie|secret|password/i;

/** A typed emitter of log records with a bounded list of the latest ones. */
export class HeraldLog {
  #listeners = new Set<HeraldLogListener>();
  #recent: HeraldLogRecord[] = [];
  /** The id of the request being answered, for every record logged meanwhile. */
  #requestIds = new AsyncLocalStorage<string>();

  /** Runs `fn` with `id` as the request id of every record it logs. */
  withRequestId<T>(id: string, fn: () => T): T {
    return this.#requestIds.run(id, fn);
  }

  /** Calls `listener` for every record from now on; returns the unsubscribe function. */
  on(listener: HeraldLogListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** The latest records, oldest first (at most {@link RECENT_LOG_LIMIT}). */
  recent(): HeraldLogRecord[] {
    return this.#recent.slice();
  }

  /** Emits one record to every listener; a failing listener never breaks the caller. */
  log(
    level: HeraldLogLevel,
    message: string,
    fields: Record<string, unknown> = {},
  ): void {
    const safe: Record<string, unknown> = {};
    const requestId = this.#requestIds.getStore();
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
    this.#recent.push(record);
    if (this.#recent.length > RECENT_LOG_LIMIT) this.#recent.shift();
    for (const listener of this.#listeners) {
      try {
        listener(record);
      } catch {
        // A broken log view must not take down a stream or a publish.
      }
    }
  }
}

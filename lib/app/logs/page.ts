/**
 * What the /logs page renders on the server: the latest log entries from the
 * log channel's history, oldest first.
 *
 * @module
 */
import { getHerald } from "../../realtime/herald.ts";
import type { Broker } from "../../realtime/types.ts";
import { entriesOf, keepLast, LOG_CHANNEL, type LogEntry } from "./entry.ts";

/** Entries the page starts with. */
export const INITIAL_ENTRIES = 200;

export async function latestLogEntries(
  broker?: Broker,
  limit = INITIAL_ENTRIES,
): Promise<LogEntry[]> {
  const b = broker ?? (await getHerald()).broker;
  // A batch holds one or more entries: 50 batches are plenty for `limit`.
  const events = await b.history(LOG_CHANNEL, { limit: 50 });
  return keepLast(events.flatMap(entriesOf), limit);
}

/**
 * What /logs renders on the server: the latest entries of the log channel and the
 * `since` its view streams from.
 *
 * @module
 */
import type { Broker } from "../../realtime/types.ts";
import { readHistoryPage } from "../../realtime/history/reader.ts";
import { renderSince } from "../page/since.ts";
import { entriesOf, keepLast, LOG_CHANNEL, type LogEntry } from "./entry.ts";

/** Entries the page starts with. */
export const INITIAL_ENTRIES = 200;

export interface LogsPageData {
  entries: LogEntry[];
  /** The broker head read before `entries`: the view gets every event after it. */
  since: string;
}

export async function latestLogEntries(
  broker: Broker,
  limit = INITIAL_ENTRIES,
): Promise<LogEntry[]> {
  // A batch holds one or more entries: 50 batches are plenty for `limit`.
  const { events } = await readHistoryPage(broker, LOG_CHANNEL, { limit: 50 });
  return keepLast(events.flatMap(entriesOf), limit);
}

export async function loadLogsPage(broker: Broker): Promise<LogsPageData> {
  const since = await renderSince(broker); // before the entries: see page/since.ts
  return { entries: await latestLogEntries(broker), since };
}

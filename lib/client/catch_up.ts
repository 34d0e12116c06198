/**
 * Reads what a subscription missed since the server rendered its island (the history
 * after `since`); a full answer or a failed read comes back as a gap.
 *
 * @module
 */
import type { HeraldEvent } from "../realtime/types.ts";
import type { HistoryQuery } from "./history.ts";

/** Reads one channel's history (lib/client/history.ts `fetchHistory`, or a stand-in). */
export type HistoryReader = (
  channel: string,
  query: HistoryQuery,
) => Promise<HeraldEvent[]>;

/** Most events read per channel; more than this since the render is treated as a gap. */
export const CATCH_UP_LIMIT = 200;

/** The events after `since` on `channels` (unsorted), or "gap" when they cannot all be read. */
export async function readSince(
  channels: readonly string[],
  since: string,
  read: HistoryReader,
  limit = CATCH_UP_LIMIT,
): Promise<HeraldEvent[] | "gap"> {
  try {
    const pages = await Promise.all(
      channels.map((channel) => read(channel, { after: since, limit })),
    );
    return pages.some((page) => page.length >= limit) ? "gap" : pages.flat();
  } catch (err) {
    console.error("catch-up:", err);
    return "gap";
  }
}

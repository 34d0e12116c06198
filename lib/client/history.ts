/**
 * Reads a channel's history from the API (`GET /api/channels/{channel}/messages`),
 * for islands that reload their state after a gap.
 *
 * @example
 * ```ts
 * const events = await fetchHistory("notifications", 50); // oldest first
 * ```
 * @module
 */
import type { HeraldEvent } from "../realtime/types.ts";

/** The newest `limit` events of `channel`, oldest first; throws on a non-2xx answer. */
export async function fetchHistory(
  channel: string,
  limit = 50,
): Promise<HeraldEvent[]> {
  const res = await fetch(
    `/api/channels/${encodeURIComponent(channel)}/messages?limit=${limit}`,
    { headers: { accept: "application/json" } },
  );
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`history of ${channel}: HTTP ${res.status}`);
  }
  const body = await res.json();
  return Array.isArray(body) ? body : body.events ?? [];
}

/**
 * Reads a channel's history from the API, for islands that reload after a gap and for
 * the page stream's catch-up.
 *
 * @module
 */
import type { HeraldEvent } from "../realtime/types.ts";

export interface HistoryQuery {
  /** Only events with a greater id: then the OLDEST `limit` of them. */
  after?: string;
  /** At most this many; default 50. */
  limit?: number;
  /** Where the API lives; default this page's origin. */
  origin?: string;
  /** A bearer token for the read (a page on another site). */
  token?: string;
}

/**
 * Events of `channel`, oldest first: the newest `limit`, or with `after` the
 * oldest `limit` after it. Throws on a non-2xx answer.
 */
export async function fetchHistory(
  channel: string,
  { after, limit = 50, origin = "", token }: HistoryQuery = {},
): Promise<HeraldEvent[]> {
  const params = new URLSearchParams({ limit: String(limit) });
  if (after) params.set("after", after);
  const res = await fetch(
    `${origin}/api/channels/${encodeURIComponent(channel)}/messages?${params}`,
    {
      headers: {
        accept: "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
    },
  );
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`history of ${channel}: HTTP ${res.status}`);
  }
  const body = await res.json();
  return Array.isArray(body) ? body : body.events ?? [];
}

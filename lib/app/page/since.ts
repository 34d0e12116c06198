/**
 * The `since` a server-rendered page hands its islands: the broker's head, read BEFORE
 * the state it renders (see ARCHITECTURE.md, Ordering).
 *
 * @example
 * @example
 * ```ts
 * const since = await renderSince(broker); // first
 * const items = await broker.history("notifications", { limit: 50 }); // then the state
 * ```
 *
 * @module
 */
import { formatEventId } from "../../realtime/brokers/event_id.ts";
import type { Broker } from "../../realtime/types.ts";

/** Below every event id: the position of a deployment that has published nothing yet. */
export const BEFORE_ANY_EVENT = formatEventId(0);

/** The broker's head, or {@link BEFORE_ANY_EVENT} when nothing was published yet. */
export async function renderSince(
  broker: Pick<Broker, "head">,
): Promise<string> {
  return (await broker.head()) ?? BEFORE_ANY_EVENT;
}

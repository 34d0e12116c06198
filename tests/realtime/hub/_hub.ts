/**
 * A hub over a counting memory broker for the hub tests, closed after each.
 *
 * @module
 */
import { Hub } from "../../../lib/realtime/hub/hub.ts";
import { CountingBroker } from "../_helpers.ts";

export const HUB_OPTIONS = {
  heartbeatMs: 60_000,
  retryMs: 1500,
  subscriberBufferBytes: 1024 * 1024,
};

export async function withHub(
  fn: (hub: Hub, broker: CountingBroker) => Promise<void>,
  options: Partial<typeof HUB_OPTIONS> = {},
  broker = new CountingBroker({ limit: 1000 }),
): Promise<void> {
  const hub = new Hub(broker, { ...HUB_OPTIONS, ...options });
  try {
    await fn(hub, broker);
  } finally {
    await hub.close();
    await broker.close();
  }
}

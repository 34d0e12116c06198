/** Hostile stored data for the bad-event tests: deep values, and a broker on the app's KV file. @module */
import { brokerFromEnv } from "../../lib/realtime/brokers/create.ts";
import type { Broker } from "../../lib/realtime/types.ts";

/** A value nested `depth` objects deep. */
export function nested(depth: number): unknown {
  let value: unknown = "bottom";
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

/** A broker on the running app's KV file: writes go straight in, unchecked. */
export function brokerOn(kvPath: string): Promise<Broker> {
  return brokerFromEnv({ HERALD_BROKER: "kv", HERALD_KV_PATH: kvPath });
}

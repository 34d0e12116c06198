/** For the hostile-data tests: deep values, a broker on the app's KV file, and a room to attack. @module */
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

/** A JSON post to the running app: the status and the JSON answer (null when none). */
export async function postJson(url: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

/** Creates a chat room through the app (throws unless 201). */
export async function createRoom(appUrl: string, room: string): Promise<void> {
  const res = await postJson(`${appUrl}/chat`, { room });
  if (res.status !== 201) {
    throw new Error(
      `POST /chat ${room}: ${res.status} ${JSON.stringify(res.body)}`,
    );
  }
}

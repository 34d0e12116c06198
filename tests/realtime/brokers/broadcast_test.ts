import assert from "node:assert";
import type { BroadcastBroker } from "../../../lib/realtime/brokers/broadcast.ts";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import type { HeraldEvent } from "../../../lib/realtime/types.ts";
import { brokerConformance } from "./conformance.ts";
import { waitFor } from "../../_support/wait.ts";

// Each broker gets its own BroadcastChannel name, so tests never see each other.
const isolated = () => `herald-test-${crypto.randomUUID().slice(0, 8)}`;

brokerConformance("broadcast", {
  create: (history) =>
    createBroker({ broker: "broadcast", history, channelName: isolated() }),
  peer: (broker) =>
    createBroker({
      broker: "broadcast",
      channelName: (broker as BroadcastBroker).channelName,
    }),
});

Deno.test("broadcast broker: two instances share live events and each keeps history", async () => {
  const channelName = isolated();
  const a = await createBroker({ broker: "broadcast", channelName });
  const b = await createBroker({ broker: "broadcast", channelName });
  try {
    const atB: HeraldEvent[] = [];
    const atA: HeraldEvent[] = [];
    await b.subscribe("room:1", (e) => atB.push(e));
    await a.subscribe("room:1", (e) => atA.push(e));
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      sent.push((await a.publish("room:1", { data: i })).id);
    }
    // b answers after it has seen a's events: its id must sort after them
    // (the hybrid clock moves past ids it saw).
    await waitFor(() => atB.length === 10, "a's events at b");
    const reply = await b.publish("room:1", { data: "reply" });
    await waitFor(
      () => atB.length === 11 && atA.length === 11,
      "both instances",
    );
    assert.deepStrictEqual(atB.map((e) => e.id), [...sent, reply.id]);
    assert.deepStrictEqual(atA.map((e) => e.id), [...sent, reply.id]);
    assert.deepStrictEqual((await b.history("room:1")).map((e) => e.data), [
      ...Array.from({ length: 10 }, (_, i) => i),
      "reply",
    ]);
  } finally {
    await a.close();
    await b.close();
  }
});

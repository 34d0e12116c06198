/**
 * The replay of a resuming stream is bounded like live delivery: history is
 * read in small pages at the client's pace, a client that takes nothing is
 * cut, and history trimmed under a slow replay ends the stream so that its
 * resume says `event: gap` instead of skipping events.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { MemoryBroker } from "../../../lib/realtime/brokers/memory.ts";
import { Hub } from "../../../lib/realtime/hub/hub.ts";
import type {
  HeraldEvent,
  HistoryOptions,
} from "../../../lib/realtime/types.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { waitFor } from "../_helpers.ts";

class RecordingBroker extends MemoryBroker {
  reads: HistoryOptions[] = [];
  override history(
    channel: string,
    opts?: HistoryOptions,
  ): Promise<HeraldEvent[]> {
    this.reads.push(opts ?? {});
    return super.history(channel, opts);
  }
}

const PAD = "x".repeat(1000);
const BUFFER = 8 * 1024;
const OPTIONS = {
  heartbeatMs: 60_000,
  retryMs: 1000,
  subscriberBufferBytes: BUFFER,
  maxEventBytes: 1100,
};

async function publish(broker: MemoryBroker, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push((await broker.publish("big", { data: { i, pad: PAD } })).id);
  }
  return ids;
}

Deno.test("a replay reads history in pages of half a buffer, at the reader's pace", async () => {
  const broker = new RecordingBroker({ limit: 1000 });
  const hub = new Hub(broker, OPTIONS);
  try {
    const ids = await publish(broker, 100);
    const sse = new SseReader(
      await hub.open({
        channels: ["big"],
        form: "payload",
        lastEventId: ids[0],
      }),
    );
    const got = await sse.events(99);
    assertEquals(got.map((e) => e.id), ids.slice(1));
    for (const read of broker.reads) {
      assert(
        (read.limit ?? Infinity) * OPTIONS.maxEventBytes <= BUFFER / 2,
        `a read of ${read.limit} events`,
      );
    }
    await sse.cancel();
  } finally {
    await hub.close();
    await broker.close();
  }
});

Deno.test("a client that takes nothing of its replay is cut after replayStallMs", async () => {
  const broker = new MemoryBroker({ limit: 1000 });
  const hub = new Hub(broker, { ...OPTIONS, replayStallMs: 100 });
  try {
    const ids = await publish(broker, 100);
    let reason = "";
    const body = await hub.open({
      channels: ["big"],
      form: "payload",
      lastEventId: ids[0],
      onClose: (r) => reason = r,
    });
    await waitFor(() => hub.stats().streams === 0, "the silent stream cut");
    assertEquals(reason, "too slow");
    await body.cancel().catch(() => {});
  } finally {
    await hub.close();
    await broker.close();
  }
});

Deno.test("history trimmed under a slow replay ends the stream, and its resume gets event: gap", async () => {
  const broker = new MemoryBroker({ limit: 20 });
  const hub = new Hub(broker, OPTIONS);
  try {
    const ids = await publish(broker, 20);
    const sse = new SseReader(
      await hub.open({
        channels: ["big"],
        form: "payload",
        lastEventId: ids[0],
      }),
    );
    const first = await sse.nextEvent();
    assertEquals(first?.id, ids[1]);
    // The reader pauses; 40 more (small) events trim history past the replay.
    await waitFor(() => hub.stats().streams === 1, "the stream open");
    for (let i = 0; i < 40; i++) await broker.publish("big", { data: i });
    const rest = (await sse.rest()).filter((r) => r.kind === "event");
    const seen = [first!, ...rest].map((e) => e.kind === "event" ? e.id : "");
    assertEquals(seen, ids.slice(1, seen.length + 1), "in order, none skipped");
    const resumed = new SseReader(
      await hub.open({
        channels: ["big"],
        form: "payload",
        lastEventId: seen.at(-1)!,
      }),
    );
    assertEquals((await resumed.nextEvent())?.event, "gap");
    await resumed.cancel();
  } finally {
    await hub.close();
    await broker.close();
  }
});

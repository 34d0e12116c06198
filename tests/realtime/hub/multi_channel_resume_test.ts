/**
 * A multi-channel stream resumed while several tasks publish alternately on
 * three channels, on the real memory, kv and redis brokers: what a client
 * receives must be strictly increasing in id (across channels) and complete
 * against the channels' history (why: ARCHITECTURE.md, Ordering).
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { Hub } from "../../../lib/realtime/hub/hub.ts";
import type { Broker } from "../../../lib/realtime/types.ts";
import { requireRedis, uniquePrefix } from "../../_support/redis.ts";
import { SseReader } from "../../_support/sse_parser.ts";
import { dropPrefix } from "../brokers/redis_keys.ts";
import { sleep, waitFor } from "../../_support/wait.ts";

const CHANNELS = ["room:a", "room:b", "room:c"];
const TASKS = 3;
const PER_TASK = 300;
/**
 * Events on the first channel before the tasks start: a resume from before
 * them reads that channel's history in several pages while the others are
 * read at once, so events are committed between the channels' reads.
 */
const BACKLOG = 1200;
const KEPT = BACKLOG + TASKS * PER_TASK;
/** Resumes at most, one every few ms while the tasks publish. */
const RESUMES = 40;
const OPTIONS = {
  heartbeatMs: 60_000,
  retryMs: 1000,
  subscriberBufferBytes: 4 * 1024 * 1024,
};

/** The brokers of one run: the hub's, and the instances that publish. */
interface Setup {
  hubBroker: Broker;
  publishers: Broker[];
  close(): Promise<void>;
}

/** Reads one stream's event ids until stopped. */
class Client {
  readonly ids: string[] = [];
  readonly #sse: SseReader;
  readonly #reading: Promise<void>;

  constructor(readonly from: string, body: ReadableStream<Uint8Array>) {
    const sse = this.#sse = new SseReader(body);
    this.#reading = (async () => {
      for (
        let e = await sse.nextEvent(60_000);
        e;
        e = await sse.nextEvent(60_000)
      ) {
        if (e.id) this.ids.push(e.id);
      }
    })();
  }

  async stop(): Promise<void> {
    await this.#sse.cancel();
    await this.#reading;
  }
}

async function resumeUnderLoad(setup: Setup): Promise<void> {
  const hub = new Hub(setup.hubBroker, OPTIONS);
  const clients: Client[] = [];
  try {
    const published: string[] = [];
    for (let i = 0; i < BACKLOG; i++) {
      const e = await setup.publishers[0].publish(CHANNELS[0], { data: i });
      published.push(e.id);
    }
    const backlogStart = published[0];
    let publishing = true;
    const tasks = Promise.all(
      Array.from({ length: TASKS }, async (_, t) => {
        const publisher = setup.publishers[t % setup.publishers.length];
        for (let i = 0; i < PER_TASK; i++) {
          const channel = CHANNELS[(t + i) % CHANNELS.length];
          const e = await publisher.publish(channel, { data: { t, i } });
          published.push(e.id);
          if (i % 10 === 0) await sleep(0);
        }
      }),
    ).finally(() => publishing = false);
    // Resume again and again while they publish: from the start of the
    // backlog (a long replay) or from a recent id (a short one).
    while (publishing && clients.length < RESUMES) {
      {
        const from = clients.length % 3 === 2
          ? published[published.length - 1 - (clients.length % 50)]
          : backlogStart;
        const body = await hub.open({
          channels: CHANNELS,
          form: "envelope",
          lastEventId: from,
        });
        clients.push(new Client(from, body));
      }
      await sleep(5);
    }
    await tasks;
    const all = [...published].sort();
    const newest = all.at(-1)!;
    await waitFor(
      () => clients.every((c) => c.ids.at(-1) === newest),
      "every client to reach the newest event",
      60_000,
    );
    const history = (await Promise.all(
      CHANNELS.map((channel) =>
        setup.hubBroker.history(channel, { limit: KEPT })
      ),
    )).flat().map((e) => e.id).sort();
    assertEquals(history, all, "history holds every published event");
    assert(clients.length >= 3, `only ${clients.length} resumes`);
    for (const client of clients) {
      const ids = client.ids;
      const disorder = ids.findIndex((id, i) => i > 0 && ids[i - 1] >= id);
      assertEquals(
        disorder,
        -1,
        `resumed after ${client.from}: sent ${ids[disorder - 1]} before ${
          ids[disorder]
        }`,
      );
      assertEquals(
        ids,
        history.filter((id) => id > client.from),
        `resumed after ${client.from}: exactly the history after it`,
      );
    }
  } finally {
    await Promise.all(clients.map((c) => c.stop()));
    await hub.close();
    await setup.close();
  }
}

Deno.test("memory broker: a multi-channel resume under concurrent publishing is in id order and complete", async () => {
  const broker = await createBroker({
    broker: "memory",
    history: { limit: KEPT },
  });
  await resumeUnderLoad({
    hubBroker: broker,
    publishers: [broker],
    close: () => broker.close(),
  });
});

Deno.test("kv broker: a multi-channel resume under concurrent publishing is in id order and complete", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-kv-" });
  const path = `${dir}/herald.kv`;
  const history = { limit: KEPT };
  const hubBroker = await createBroker({ broker: "kv", path, history });
  const peer = await createBroker({ broker: "kv", path, history, pollMs: 50 });
  await resumeUnderLoad({
    hubBroker,
    // The hub's own instance and another one on the same file.
    publishers: [hubBroker, peer],
    close: async () => {
      await peer.close();
      await hubBroker.close();
      await Deno.remove(dir, { recursive: true });
    },
  });
});

const redisUrl = await requireRedis();

Deno.test({
  name:
    "redis broker: a multi-channel resume under concurrent publishing is in id order and complete",
  ignore: !redisUrl,
  fn: async () => {
    const prefix = uniquePrefix("resume");
    const history = { limit: KEPT };
    const options = {
      broker: "redis",
      url: redisUrl!,
      prefix,
      history,
    } as const;
    const hubBroker = await createBroker(options);
    const peer = await createBroker(options);
    await resumeUnderLoad({
      hubBroker,
      publishers: [hubBroker, peer],
      close: async () => {
        await peer.close();
        await hubBroker.close();
        await dropPrefix(redisUrl!, prefix);
      },
    });
  },
});

/**
 * The app store's contract, run against every backend: memory, Deno KV in a
 * temp file (also two handles on one file), and real Redis with a unique prefix.
 */
import assert from "node:assert/strict";
import {
  type AppStore,
  createStore,
  storeOptionsFromEnv,
} from "../../lib/app/store/mod.ts";
import { Lease } from "../../lib/app/store/lease.ts";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Backend {
  name: string;
  ignore?: boolean;
  /** Two stores on the same data (for cross-instance checks), and cleanup. */
  open(): Promise<{ a: AppStore; b: AppStore; done(): Promise<void> }>;
}

const redisUrl = await requireRedis();

const backends: Backend[] = [
  {
    name: "memory",
    async open() {
      const a = await createStore({ kind: "memory" });
      return { a, b: a, done: () => a.close() };
    },
  },
  {
    name: "kv",
    async open() {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/nested/app.kv`;
      const a = await createStore({ kind: "kv", path });
      const b = await createStore({ kind: "kv", path });
      return {
        a,
        b,
        async done() {
          await a.close();
          await b.close();
          await Deno.remove(dir, { recursive: true });
        },
      };
    },
  },
  {
    name: "redis",
    ignore: !redisUrl,
    async open() {
      const prefix = uniquePrefix("store");
      const a = await createStore({ kind: "redis", url: redisUrl!, prefix });
      const b = await createStore({ kind: "redis", url: redisUrl!, prefix });
      return {
        a,
        b,
        async done() {
          for (const e of await a.list([])) await a.delete(e.key);
          await a.close();
          await b.close();
        },
      };
    },
  },
];

function storeTest(
  backend: Backend,
  name: string,
  fn: (a: AppStore, b: AppStore) => Promise<void>,
) {
  Deno.test({
    name: `store ${backend.name}: ${name}`,
    ignore: backend.ignore,
    async fn() {
      const { a, b, done } = await backend.open();
      try {
        await fn(a, b);
      } finally {
        await done();
      }
    },
  });
}

for (const backend of backends) {
  storeTest(backend, "get, set and delete round-trip JSON", async (a, b) => {
    const key = ["chat", "rooms", "lobby"];
    assert.deepEqual(await a.get(key), null);
    const value = { name: "lobby", tags: ["a", "ü"], n: 1.5, ok: true };
    await a.set(key, value);
    assert.deepEqual(await b.get(key), value);
    await a.set(key, "replaced");
    assert.deepEqual(await b.get(key), "replaced");
    await b.delete(key);
    assert.deepEqual(await a.get(key), null);
  });

  storeTest(backend, "refuses null values and empty key parts", async (a) => {
    await assert.rejects(async () => await a.set(["x"], null));
    await assert.rejects(async () => await a.set(["x", ""], 1));
    await assert.rejects(async () => await a.get([]));
  });

  storeTest(
    backend,
    "setIfAbsent lets exactly one writer win",
    async (a, b) => {
      const key = ["lease", "race"];
      const results = await Promise.all(
        Array.from(
          { length: 8 },
          (_, i) => (i % 2 ? a : b).setIfAbsent(key, `writer-${i}`),
        ),
      );
      assert.deepEqual(results.filter(Boolean).length, 1);
      const winner = results.indexOf(true);
      assert.deepEqual(await a.get(key), `writer-${winner}`);
    },
  );

  storeTest(
    backend,
    "an entry with a TTL disappears after it",
    async (a, b) => {
      // A TTL long enough that a stall on a loaded machine cannot expire the
      // entries before the first reads.
      await a.set(["ttl", "set"], 1, { ttlMs: 1_000 });
      assert(await a.setIfAbsent(["ttl", "lease"], "first", { ttlMs: 1_000 }));
      assert.deepEqual(await b.get(["ttl", "set"]), 1);
      assert.deepEqual(await b.setIfAbsent(["ttl", "lease"], "second"), false);
      await sleep(1_500);
      assert.deepEqual(await b.get(["ttl", "set"]), null);
      assert.deepEqual((await b.list(["ttl"])).length, 0);
      assert(await b.setIfAbsent(["ttl", "lease"], "second"));
      assert.deepEqual(await a.get(["ttl", "lease"]), "second");
    },
  );

  storeTest(
    backend,
    "compareAndSet writes only over the expected value",
    async (a, b) => {
      const key = ["flights", "board"];
      assert.deepEqual(
        await a.compareAndSet(key, { seq: 0 }, { seq: 1 }),
        false,
      );
      await a.set(key, {
        seq: 1,
        flights: [{ id: "HR1", state: "scheduled" }],
      });
      assert.deepEqual(
        await b.compareAndSet(key, { seq: 0 }, { seq: 2 }),
        false,
        "stale expectation refused",
      );
      // Key order does not matter for equality.
      assert(
        await b.compareAndSet(
          key,
          { flights: [{ state: "scheduled", id: "HR1" }], seq: 1 },
          { seq: 2 },
        ),
      );
      assert.deepEqual(await a.get(key), { seq: 2 });
      const raced = await Promise.all([
        a.compareAndSet(key, { seq: 2 }, { seq: 3, by: "a" }),
        b.compareAndSet(key, { seq: 2 }, { seq: 3, by: "b" }),
      ]);
      assert.deepEqual(raced.filter(Boolean).length, 1);
    },
  );

  storeTest(
    backend,
    "compareAndSet with a TTL renews a lease",
    async (a, b) => {
      // Renewed every third of its TTL for more than one TTL: room for a
      // timer that fires late on a loaded machine (a half-TTL step did not).
      const key = ["lease", "renew"];
      const ttlMs = 1_500;
      assert(await a.setIfAbsent(key, "me", { ttlMs }));
      for (let i = 0; i < 4; i++) {
        await sleep(ttlMs / 3);
        assert(
          await a.compareAndSet(key, "me", "me", { ttlMs }),
          `renew ${i}`,
        );
      }
      assert.deepEqual(await b.get(key), "me", "renewed past its first TTL");
      assert.deepEqual(await b.compareAndSet(key, "other", "other"), false);
    },
  );

  storeTest(
    backend,
    "deleteIf deletes only the expected value",
    async (a, b) => {
      await a.set(["lease", "x"], "holder-1");
      assert.deepEqual(await b.deleteIf(["lease", "x"], "holder-2"), false);
      assert.deepEqual(await a.get(["lease", "x"]), "holder-1");
      assert(await b.deleteIf(["lease", "x"], "holder-1"));
      assert.deepEqual(await a.get(["lease", "x"]), null);
      assert.deepEqual(await b.deleteIf(["lease", "x"], "holder-1"), false);
    },
  );

  storeTest(
    backend,
    "list returns live entries under a prefix, in key order",
    async (a, b) => {
      await a.set(["chat", "members", "lobby", "zoe"], { name: "Zoe" });
      await a.set(["chat", "members", "lobby", "al b*?[x]/y"], { name: "al" });
      await a.set(["chat", "members", "lobby2", "bob"], { name: "Bob" });
      await a.set(["chat", "members", "lobby", "gone"], 1, { ttlMs: 100 });
      await a.set(["chat", "rooms", "lobby"], { name: "lobby" });
      await sleep(250);
      const members = await b.list<{ name: string }>([
        "chat",
        "members",
        "lobby",
      ]);
      assert.deepEqual(members, [
        {
          key: ["chat", "members", "lobby", "al b*?[x]/y"],
          value: { name: "al" },
        },
        { key: ["chat", "members", "lobby", "zoe"], value: { name: "Zoe" } },
      ]);
      assert.deepEqual((await b.list(["chat"])).length, 4);
      assert.deepEqual(await b.list(["nothing"]), []);
    },
  );

  storeTest(
    backend,
    "a lease has one holder; another takes over after it dies",
    async (a, b) => {
      const key = ["flights", "lease"];
      const first = new Lease(a, key, "proc-1", 300);
      const second = new Lease(b, key, "proc-2", 300);
      assert(await first.tryHold());
      assert.deepEqual(await second.tryHold(), false);
      assert(await first.tryHold(), "the holder renews");
      assert.deepEqual(await second.currentHolder(), "proc-1");
      // proc-1 stops renewing (dies): the lease expires and proc-2 takes it.
      await sleep(450);
      assert(await second.tryHold());
      assert.deepEqual(await first.tryHold(), false, "the old holder lost it");
      assert.deepEqual(first.held, false);
      // A clean stop hands it over at once.
      await second.release();
      assert(await first.tryHold());
      await second.release(); // not the holder: no effect
      assert.deepEqual(await a.get(key), "proc-1");
    },
  );
}

Deno.test("store selection mirrors the broker configuration", () => {
  assert.deepEqual(storeOptionsFromEnv({}), {
    kind: "kv",
    path: "./data/herald.kv",
  });
  assert.deepEqual(storeOptionsFromEnv({ HERALD_KV_PATH: "/tmp/x.kv" }), {
    kind: "kv",
    path: "/tmp/x.kv",
  });
  assert.deepEqual(storeOptionsFromEnv({ REDIS_URL: "redis://h:1" }), {
    kind: "redis",
    url: "redis://h:1",
    prefix: "herald",
  });
  assert.deepEqual(
    storeOptionsFromEnv({
      REDIS_URL: "redis://h:1",
      HERALD_REDIS_PREFIX: "p",
      HERALD_BROKER: "REDIS",
    }),
    { kind: "redis", url: "redis://h:1", prefix: "p" },
  );
  assert.deepEqual(
    storeOptionsFromEnv({ REDIS_URL: "redis://h:1", HERALD_BROKER: "kv" }).kind,
    "kv",
  );
  assert.deepEqual(
    storeOptionsFromEnv({ HERALD_BROKER: "broadcast" }).kind,
    "memory",
  );
  assert.deepEqual(
    storeOptionsFromEnv({ HERALD_BROKER: "memory" }).kind,
    "memory",
  );
  assert.deepEqual(
    storeOptionsFromEnv({ DENO_DEPLOYMENT_ID: "x", HERALD_KV_PATH: "/a" }),
    { kind: "kv", path: undefined },
  );
  assert.throws(() => storeOptionsFromEnv({ HERALD_BROKER: "mongo" }), /mongo/);
});

import assert from "node:assert";
import {
  brokerFromEnv,
  brokerOptionsFromEnv,
  DEFAULT_KV_PATH,
} from "../../../lib/realtime/brokers/create.ts";

Deno.test("brokerOptionsFromEnv: nothing set → kv on the default file", () => {
  const options = brokerOptionsFromEnv({});
  assert.strictEqual(options.broker, "kv");
  assert.strictEqual(options.broker === "kv" && options.path, DEFAULT_KV_PATH);
});

Deno.test("brokerOptionsFromEnv: REDIS_URL selects redis; HERALD_BROKER overrides", () => {
  const redis = brokerOptionsFromEnv({
    REDIS_URL: "rediss://default:pw@example.test:6380",
    HERALD_REDIS_PREFIX: "app",
  });
  assert.deepStrictEqual(redis, {
    broker: "redis",
    url: "rediss://default:pw@example.test:6380",
    prefix: "app",
    history: { limit: undefined, ttlMs: undefined },
  });
  const forced = brokerOptionsFromEnv({
    REDIS_URL: "redis://x",
    HERALD_BROKER: "Memory",
  });
  assert.strictEqual(forced.broker, "memory");
  assert.strictEqual(
    brokerOptionsFromEnv({ HERALD_BROKER: "broadcast" }).broker,
    "broadcast",
  );
});

Deno.test("brokerOptionsFromEnv: history bounds, poll interval and Deno Deploy", () => {
  const options = brokerOptionsFromEnv({
    HERALD_HISTORY_LIMIT: "50",
    HERALD_HISTORY_TTL_MS: "60000",
    HERALD_KV_POLL_MS: "150",
    HERALD_KV_PATH: "/tmp/x.kv",
  });
  assert.deepStrictEqual(options, {
    broker: "kv",
    path: "/tmp/x.kv",
    pollMs: 150,
    history: { limit: 50, ttlMs: 60000 },
  });
  const deployed = brokerOptionsFromEnv({
    DENO_DEPLOYMENT_ID: "abc",
    HERALD_KV_PATH: "/tmp/x.kv",
  });
  assert.strictEqual(
    deployed.broker === "kv" && deployed.path,
    undefined,
    "platform KV",
  );
});

Deno.test("brokerOptionsFromEnv: bad values are clear errors", () => {
  assert.throws(
    () => brokerOptionsFromEnv({ HERALD_BROKER: "rabbitmq" }),
    /HERALD_BROKER="rabbitmq" is not a broker: use one of memory, broadcast, redis, kv/,
  );
  assert.throws(
    () => brokerOptionsFromEnv({ HERALD_BROKER: "redis" }),
    /needs REDIS_URL/,
  );
  assert.throws(
    () => brokerOptionsFromEnv({ HERALD_HISTORY_LIMIT: "lots" }),
    /HERALD_HISTORY_LIMIT/,
  );
  assert.throws(
    () => brokerOptionsFromEnv({ HERALD_HISTORY_TTL_MS: "0" }),
    /HERALD_HISTORY_TTL_MS/,
  );
});

Deno.test("brokerFromEnv: the kv file's folder is created and the broker works", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/data/herald.kv`;
    const broker = await brokerFromEnv({
      HERALD_KV_PATH: path,
      HERALD_HISTORY_LIMIT: "2",
    });
    try {
      assert.strictEqual(broker.name, "kv");
      for (let i = 0; i < 3; i++) await broker.publish("c", { data: i });
      assert.deepStrictEqual((await broker.history("c")).map((e) => e.data), [
        1,
        2,
      ]);
    } finally {
      await broker.close();
    }
    assert.ok((await Deno.stat(path)).isFile);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("brokerFromEnv: HERALD_BROKER=memory builds a memory broker", async () => {
  const broker = await brokerFromEnv({ HERALD_BROKER: "memory" });
  assert.strictEqual(broker.name, "memory");
  await broker.close();
});

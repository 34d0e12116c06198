import assert from "node:assert";
import { createBroker } from "../../../lib/realtime/brokers/create.ts";
import { brokerOptionsFromEnv } from "../../../lib/realtime/brokers/create.ts";
import { BrokerUnavailableError } from "../../../lib/realtime/brokers/errors.ts";
import type { HeraldEvent } from "../../../lib/realtime/types.ts";
import { uniquePrefix } from "../../_support/redis.ts";
import {
  makeTestCertificates,
  requireOpenssl,
  requireRedisServer,
  startRedisServer,
} from "../../_support/redis_server.ts";
import { waitFor } from "../../_support/wait.ts";
import { startHerald } from "../process/_servers.ts";

const ready = requireRedisServer() && requireOpenssl();

Deno.test({
  name:
    "rediss://: the broker and a Herald process reach a TLS-only Redis through HERALD_REDIS_TLS_CA",
  ignore: !ready,
  fn: async () => {
    await using redis = await startRedisServer({ tls: true });
    const env = {
      REDIS_URL: redis.url,
      HERALD_REDIS_TLS_CA: redis.caFile!,
      HERALD_REDIS_PREFIX: uniquePrefix("tls"),
    };
    const broker = await createBroker(brokerOptionsFromEnv(env));
    try {
      const got: HeraldEvent[] = [];
      await broker.subscribe("room:tls", (e) => got.push(e));
      const sent = await broker.publish("room:tls", { data: { n: 1 } });
      await waitFor(() => got.length === 1, "the live event over TLS");
      assert.strictEqual(got[0].id, sent.id);
      // A whole process: broker and app store both over TLS.
      await using herald = await startHerald(env);
      const res = await fetch(`${herald.url}/api/channels/room:tls/messages`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: { n: 2 } }),
      });
      assert.strictEqual(res.status, 201, await res.clone().text());
      const { id } = await res.json();
      await waitFor(() => got.length === 2, "the process's publish");
      assert.deepStrictEqual(got.map((e) => e.data), [{ n: 1 }, { n: 2 }]);
      assert.strictEqual(got[1].id, id);
      const health = await (await fetch(`${herald.url}/api/health`)).json();
      assert.strictEqual(health.healthy, true);
    } finally {
      await broker.close();
    }
  },
});

Deno.test({
  name:
    "rediss://: a server certificate from another CA is refused with a clear error, by the broker and at start",
  ignore: !ready,
  fn: async () => {
    await using redis = await startRedisServer({ tls: true });
    const dir = await Deno.makeTempDir({ prefix: "herald-ca-" });
    try {
      const other = await makeTestCertificates(dir, "other");
      const env = {
        REDIS_URL: redis.url,
        HERALD_REDIS_TLS_CA: other.caFile,
        HERALD_REDIS_PREFIX: uniquePrefix("tls-wrong"),
      };
      await assert.rejects(
        () => createBroker(brokerOptionsFromEnv(env)),
        (err: Error) => {
          assert.ok(err instanceof BrokerUnavailableError, String(err));
          assert.match(err.message, /certificate/i);
          assert.match(err.message, /HERALD_REDIS_TLS_CA/);
          assert.match(err.message, /rediss:\/\/127\.0\.0\.1/);
          return true;
        },
      );
      // Without a CA the system's CAs do not know the test CA either.
      await assert.rejects(
        () => createBroker({ broker: "redis", url: redis.url }),
        /certificate.*set HERALD_REDIS_TLS_CA/i,
      );
      await assert.rejects(
        () => startHerald(env),
        (err: Error) => {
          assert.match(err.message, /herald: not started: .*certificate/i);
          assert.match(err.message, /HERALD_REDIS_TLS_CA/);
          return true;
        },
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("HERALD_REDIS_TLS_CA: a missing file, a file without a certificate, or a redis:// URL stop the start naming the variable", async () => {
  const dir = await Deno.makeTempDir({ prefix: "herald-ca-" });
  try {
    await Deno.writeTextFile(`${dir}/empty.pem`, "not a certificate");
    const url = "rediss://127.0.0.1:1";
    assert.throws(
      () =>
        brokerOptionsFromEnv({
          REDIS_URL: url,
          HERALD_REDIS_TLS_CA: `${dir}/missing.pem`,
        }),
      /HERALD_REDIS_TLS_CA=".*missing\.pem" cannot be read/,
    );
    assert.throws(
      () =>
        brokerOptionsFromEnv({
          REDIS_URL: url,
          HERALD_REDIS_TLS_CA: `${dir}/empty.pem`,
        }),
      /HERALD_REDIS_TLS_CA=".*empty\.pem" holds no PEM certificate/,
    );
    assert.throws(
      () =>
        brokerOptionsFromEnv({
          REDIS_URL: "redis://127.0.0.1:1",
          HERALD_REDIS_TLS_CA: `${dir}/empty.pem`,
        }),
      /HERALD_REDIS_TLS_CA is set but REDIS_URL is not rediss:\/\//,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

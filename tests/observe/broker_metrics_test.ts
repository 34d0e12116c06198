/**
 * Broker metrics against a real Redis that goes away and comes back:
 * `herald_broker_healthy` follows it, `herald_broker_reconnects_total`
 * counts the return, and broker calls are timed by operation.
 */
import assert from "node:assert/strict";
import {
  requireRedisServer,
  startRedisServer,
} from "../_support/redis_server.ts";
import { serveApp, testServices } from "../_support/services.ts";
import { waitFor } from "../_support/wait.ts";

const ADMIN = "broker-metrics-token-0123456789";

function sample(text: string, line: string): number | null {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `));
  return found ? Number(found.split(" ").at(-1)) : null;
}

Deno.test({
  name: "broker health and reconnects follow a Redis restart",
  ignore: !requireRedisServer(),
  fn: async () => {
    await using redis = await startRedisServer();
    await using app = await testServices({
      env: {
        HERALD_BROKER: "redis",
        REDIS_URL: redis.url,
        HERALD_REDIS_PREFIX: `obs-${crypto.randomUUID().slice(0, 8)}`,
        HERALD_ADMIN_TOKEN: ADMIN,
      },
    });
    await using server = await serveApp(app);
    const scrape = async () => {
      const res = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      return await res.text();
    };
    // A subscription, so the broker has something to resume.
    const stream = await fetch(`${server.url}/api/channels/obs/events`);
    const pub = await fetch(`${server.url}/api/channels/obs/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data: 1 }),
    });
    assert.equal(pub.status, 201);
    await pub.body?.cancel();

    let text = await scrape();
    assert.equal(sample(text, 'herald_broker_healthy{broker="redis"}'), 1);
    assert.equal(
      sample(text, 'herald_broker_reconnects_total{broker="redis"}'),
      0,
    );
    assert.ok(
      (sample(
        text,
        'herald_broker_operation_duration_seconds_count{broker="redis",operation="publish"}',
      ) ?? 0) >= 1,
    );

    await redis.stop();
    await waitFor(async () => {
      text = await scrape();
      return sample(text, 'herald_broker_healthy{broker="redis"}') === 0;
    }, "the broker reported unhealthy");
    await redis.start();
    await waitFor(async () => {
      text = await scrape();
      return sample(text, 'herald_broker_healthy{broker="redis"}') === 1 &&
        sample(text, 'herald_broker_reconnects_total{broker="redis"}') === 1;
    }, "healthy again, one reconnect counted");
    await stream.body?.cancel();
  },
});

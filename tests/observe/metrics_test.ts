/**
 * `GET /metrics`: off without HERALD_ADMIN_TOKEN (404), 401 without it, and
 * after real traffic valid for `promtool check metrics`, scraped by a real
 * Prometheus server, with counters that match what the test did.
 */
import assert from "node:assert/strict";

import { SseReader } from "../_support/sse_parser.ts";
import {
  RELAXED_ACCESS_ENV,
  serveApp,
  testServices,
} from "../_support/services.ts";
import { waitFor } from "../_support/wait.ts";
import {
  promtoolCheck,
  requirePrometheus,
  startPrometheus,
} from "./_prometheus.ts";

const ADMIN = "metrics-admin-token-0123456789";
const hasPrometheus = requirePrometheus();

/** The value of one sample line (`name{labels} value`), or 0 when absent. */
function sample(text: string, name: string, labels = ""): number {
  const line = text.split("\n").find((l) =>
    l.startsWith(`${name}${labels ? `{${labels}}` : ""} `)
  );
  return line ? Number(line.split(" ").at(-1)) : 0;
}

Deno.test("/metrics is off without an admin token, and 401 without it", async () => {
  {
    await using app = await testServices();
    await using server = await serveApp(app);
    const res = await fetch(`${server.url}/metrics`);
    await res.body?.cancel();
    assert.equal(res.status, 404);
  }
  await using app = await testServices({
    env: { HERALD_ADMIN_TOKEN: ADMIN },
  });
  await using server = await serveApp(app);
  for (
    const headers of [
      {} as Record<string, string>,
      { authorization: "Bearer wrong-token-0123456789" },
    ]
  ) {
    const res = await fetch(`${server.url}/metrics`, { headers });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  }
  const ok = await fetch(`${server.url}/metrics`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  });
  assert.equal(ok.status, 200);
  assert((await ok.text()).includes("herald_streams_open"));
});

Deno.test({
  name:
    "N publishes to M subscribers: published N, delivered N×M; promtool passes; Prometheus scrapes it",
  ignore: !hasPrometheus,
  fn: async () => {
    await using app = await testServices({
      env: { ...RELAXED_ACCESS_ENV, HERALD_ADMIN_TOKEN: ADMIN },
    });
    await using server = await serveApp(app);
    const N = 7, M = 3;
    const channel = "obs-secret-name";
    const readers: SseReader[] = [];
    for (let i = 0; i < M; i++) {
      const res = await fetch(`${server.url}/api/channels/${channel}/events`);
      readers.push(new SseReader(res.body!));
    }
    await waitFor(
      () => app.herald.hub.stats().streams === M,
      "M streams open",
    );
    for (let i = 0; i < N; i++) {
      const res = await fetch(
        `${server.url}/api/channels/${channel}/messages`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ data: { i } }),
        },
      );
      assert.equal(res.status, 201);
      await res.body?.cancel();
    }
    for (const reader of readers) {
      assert.equal((await reader.events(N)).length, N);
    }
    // A refused publish (bad JSON) and a refused stream name count as errors.
    const bad = await fetch(`${server.url}/api/channels/${channel}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();

    const scrape = async () => {
      const res = await fetch(`${server.url}/metrics`, {
        headers: { authorization: `Bearer ${ADMIN}` },
      });
      assert.equal(res.status, 200);
      return await res.text();
    };
    const text = await scrape();
    assert.equal(
      sample(
        text,
        "herald_events_published_total",
        'broker="memory",kind="public"',
      ),
      N,
    );
    assert.equal(
      sample(text, "herald_events_delivered_total", 'broker="memory"'),
      N * M,
    );
    assert.equal(
      sample(text, "herald_streams_open", 'endpoint="channel"'),
      M,
    );
    assert.equal(sample(text, "herald_publish_duration_seconds_count"), N);
    assert.equal(sample(text, "herald_delivery_latency_seconds_count"), N);
    assert.equal(
      sample(text, "herald_publish_errors_total", 'status="400"'),
      1,
    );
    assert.equal(sample(text, "herald_broker_healthy", 'broker="memory"'), 1);
    assert(!text.includes(channel), "no channel name in any label");
    const check = await promtoolCheck(text);
    assert(check.ok, `promtool check metrics:\n${check.output}`);

    for (const reader of readers) await reader.cancel();
    await waitFor(
      async () =>
        sample(
          await scrape(),
          "herald_stream_closes_total",
          'reason="client_gone"',
        ) === M,
      "M streams counted as closed by their clients",
    );

    const target = new URL(server.url).host;
    await using prometheus = await startPrometheus(target, ADMIN);
    await waitFor(async () => {
      const up = await prometheus.query('up{job="herald"}');
      return up.length === 1 && up[0].value[1] === "1";
    }, "Prometheus to scrape Herald (up == 1)");
    const published = await prometheus.query(
      'herald_events_published_total{kind="public"}',
    );
    assert.equal(Number(published[0].value[1]), N);
    const delivered = await prometheus.query("herald_events_delivered_total");
    assert.equal(Number(delivered[0].value[1]), N * M);
  },
});

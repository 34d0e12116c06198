/**
 * OpenTelemetry: Herald under `OTEL_DENO=true` exports its spans over
 * OTLP/HTTP to a collector (here a tiny receiver of the test's own): a
 * `herald.publish` span per publish and a `herald.stream` span per stream,
 * neither naming a private channel; the runtime's request span is named by
 * the route pattern.
 */
import assert from "node:assert/strict";
import { freePort, startServer } from "../_support/server.ts";
import { TEST_ENV } from "../_support/services.ts";
import { waitFor } from "../_support/wait.ts";

interface OtlpSpan {
  name: string;
  attributes: { key: string; value: Record<string, unknown> }[];
}

interface OtlpTraces {
  resourceSpans?: { scopeSpans: { spans: OtlpSpan[] }[] }[];
}

function spansOf(body: string): OtlpSpan[] {
  const json = JSON.parse(body) as OtlpTraces;
  return (json.resourceSpans ?? []).flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) => ss.spans)
  );
}

function attr(span: OtlpSpan, key: string): unknown {
  const found = span.attributes.find((a) => a.key === key);
  return found ? Object.values(found.value)[0] : undefined;
}

Deno.test("OTEL_DENO=true: publish and stream spans reach the collector, without private names", async () => {
  const traces: string[] = [];
  const port = freePort();
  const collector = Deno.serve(
    { port, hostname: "127.0.0.1", onListen() {} },
    async (req) => {
      const body = await req.text();
      if (new URL(req.url).pathname === "/v1/traces") traces.push(body);
      return Response.json({});
    },
  );
  try {
    await using server = await startServer({
      entry: "main.ts",
      readyPath: "/about",
      env: {
        ...TEST_ENV,
        HERALD_JWT_SECRET: "otel-test-secret-0123456789abcdef",
        HERALD_ADMIN_TOKEN: "otel-admin-token-0123456789",
        OTEL_DENO: "true",
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_SERVICE_NAME: "herald",
        OTEL_DENO_CONSOLE: "ignore",
      },
    });
    const admin = { authorization: "Bearer otel-admin-token-0123456789" };
    // The admin reads a private channel; a publish there is refused (no token).
    const stream = await fetch(
      `${server.url}/api/channels/user:alice/events?token=secret-query`,
      { headers: admin },
    );
    assert.equal(stream.status, 200);
    const refused = await fetch(
      `${server.url}/api/channels/user:alice/messages`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ data: "hi" }),
      },
    );
    assert.equal(refused.status, 401);
    await refused.body?.cancel();
    await stream.body?.cancel();

    await waitFor(() => {
      const spans = traces.flatMap(spansOf);
      return spans.some((s) => s.name === "herald.publish") &&
        spans.some((s) => s.name === "herald.stream");
    }, "the publish and stream spans at the collector");
    const spans = traces.flatMap(spansOf);
    const publish = spans.find((s) => s.name === "herald.publish")!;
    assert.equal(attr(publish, "herald.channel.kind"), "user");
    assert.equal(attr(publish, "herald.channel"), undefined);
    const life = spans.find((s) => s.name === "herald.stream")!;
    assert.equal(attr(life, "herald.channel.kind"), "user");
    assert.equal(attr(life, "herald.stream.close_reason"), "client gone");
    const herald = JSON.stringify(
      spans.filter((s) => s.name.startsWith("herald.")),
    );
    assert.ok(!herald.includes("alice"), "no private name in Herald's spans");
    // The runtime's own request span is named by the route pattern (its
    // url.* attributes are the runtime's: see the README for the collector
    // rule that drops them).
    const request = spans.find((s) =>
      attr(s, "http.route") === "/api/channels/:channel/events"
    );
    assert.equal(request?.name, "GET /api/channels/:channel/events");
  } finally {
    await collector.shutdown();
  }
});

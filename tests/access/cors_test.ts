import assert from "node:assert/strict";
import { createCors, withHeaders } from "../../lib/access/cors.ts";

const ok = () => Promise.resolve(new Response("ok"));

function request(origin: string | null, init: RequestInit = {}): Request {
  const headers = new Headers(init.headers);
  if (origin) headers.set("origin", origin);
  return new Request("http://api.test/api/channels/a/events", {
    ...init,
    headers,
  });
}

function preflight(origin: string): Request {
  return request(origin, {
    method: "OPTIONS",
    headers: {
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type",
    },
  });
}

Deno.test("no origins configured: same-origin only, but Vary: Origin", async () => {
  const cors = createCors([]);
  const res = await cors.handle(request("https://elsewhere.example"), ok);
  assert.equal(res.headers.get("access-control-allow-origin"), null);
  assert.equal(res.headers.get("vary"), "Origin");
  await res.body?.cancel();
  const pre = await cors.handle(preflight("https://elsewhere.example"), ok);
  assert.equal(pre.status, 403);
  assert.equal((await pre.json()).error.code, "origin_not_allowed");
});

Deno.test("a listed origin is echoed, never with credentials", async () => {
  const cors = createCors(["https://app.example", "https://other.example/"]);
  for (const origin of ["https://app.example", "https://other.example"]) {
    const res = await cors.handle(request(origin), ok);
    assert.equal(res.headers.get("access-control-allow-origin"), origin);
    assert.equal(res.headers.get("access-control-allow-credentials"), null);
    assert.match(
      res.headers.get("access-control-expose-headers")!,
      /Retry-After/,
    );
    assert.equal(res.headers.get("vary"), "Origin");
    await res.body?.cancel();
  }
  const stranger = await cors.handle(request("https://app.example.evil"), ok);
  assert.equal(stranger.headers.get("access-control-allow-origin"), null);
  await stranger.body?.cancel();
});

Deno.test("* answers * (anonymous access) and never echoes with credentials", async () => {
  const cors = createCors(["*"]);
  const res = await cors.handle(request("https://any.example"), ok);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  assert.equal(res.headers.get("access-control-allow-credentials"), null);
  await res.body?.cancel();
});

Deno.test("a preflight allows publishing with content-type, authorization and Last-Event-ID", async () => {
  const cors = createCors(["https://app.example"]);
  let reached = false;
  const res = await cors.handle(preflight("https://app.example"), () => {
    reached = true;
    return ok();
  });
  assert.equal(res.status, 204);
  assert.equal(reached, false);
  assert.match(res.headers.get("access-control-allow-methods")!, /POST/);
  const allowed = res.headers.get("access-control-allow-headers")!
    .toLowerCase();
  for (const h of ["authorization", "content-type", "last-event-id"]) {
    assert.ok(allowed.includes(h), h);
  }
  assert.ok(Number(res.headers.get("access-control-max-age")) > 0);
});

Deno.test("a plain OPTIONS (not a preflight) goes to the route", async () => {
  const cors = createCors(["https://app.example"]);
  const res = await cors.handle(request(null, { method: "OPTIONS" }), ok);
  assert.equal(await res.text(), "ok");
});

Deno.test("headers are added even to immutable responses (redirects)", async () => {
  const cors = createCors(["https://app.example"]);
  const res = await cors.handle(
    request("https://app.example", { method: "POST" }),
    () => Promise.resolve(Response.redirect("http://api.test/chat", 303)),
  );
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "http://api.test/chat");
  assert.equal(
    res.headers.get("access-control-allow-origin"),
    "https://app.example",
  );
});

Deno.test("withHeaders does not duplicate a Vary value", () => {
  const res = new Response(null, {
    headers: { vary: "Accept-Encoding, Origin" },
  });
  withHeaders(res, {}, { vary: "Origin" });
  assert.equal(res.headers.get("vary"), "Accept-Encoding, Origin");
});

Deno.test("a listed origin matches however it is spelled in the setting", async () => {
  // Browsers send the serialized origin: lower-case host, no default port.
  const cors = createCors([
    "https://App.Example",
    "https://other.example:443",
    "http://dev.example:8080/",
  ]);
  for (
    const origin of [
      "https://app.example",
      "https://other.example",
      "http://dev.example:8080",
    ]
  ) {
    const res = await cors.handle(preflight(origin), ok);
    assert.equal(res.status, 204, origin);
    assert.equal(res.headers.get("access-control-allow-origin"), origin);
  }
  assert.equal(cors.allowOrigin("http://dev.example"), null);
});

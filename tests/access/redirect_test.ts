/**
 * The 303 after an HTML form post (lib/realtime/http/redirect.ts) never sends
 * the browser to another site, however the `redirect` field or the Referer is
 * spelled, and goes back to the page the form came from, also behind a
 * TLS-terminating proxy (Herald sees http, the browser's Referer says https).
 */
import assert from "node:assert/strict";
import { startApp } from "../_support/app.ts";
import { redirectTarget } from "../../lib/realtime/http/redirect.ts";

/** Where a browser goes when it follows `location` from `page`. */
function followed(location: string, page: string): URL {
  return new URL(location, page);
}

const APP = "http://herald.test";

function post(headers: Record<string, string> = {}): Request {
  return new Request(`${APP}/api/channels/news/messages`, {
    method: "POST",
    headers,
  });
}

const HOSTILE_FIELDS = [
  "//evil.example/",
  "/\\evil.example/",
  "/.//evil.example/",
  "/./\\evil.example/",
  "/a/..//evil.example/",
  "/%2e//evil.example/",
  "/%2E%2E//evil.example/",
  "/\t/evil.example/",
  "/./%5Cevil.example/",
  "https://evil.example/",
  "javascript:alert(1)",
];

Deno.test("a hostile redirect field never leads off the site", () => {
  for (const field of HOSTILE_FIELDS) {
    const location = redirectTarget(post(), field);
    assert.equal(
      followed(location, `${APP}/`).host,
      "herald.test",
      `${JSON.stringify(field)} → ${location}`,
    );
  }
});

Deno.test("a Referer whose path resolves to //host never leads off the site", () => {
  for (const path of ["/.//evil.example/x", "//evil.example/x"]) {
    const location = redirectTarget(post({ referer: `${APP}${path}` }));
    assert.equal(
      followed(location, `${APP}/`).host,
      "herald.test",
      `${path} → ${location}`,
    );
  }
});

Deno.test("behind an https proxy the Referer of this host is honoured", () => {
  const location = redirectTarget(
    post({ referer: "https://herald.test/rooms/1?tab=chat" }),
  );
  assert.equal(location, "/rooms/1?tab=chat");
  const foreign = redirectTarget(post({ referer: "https://evil.example/x" }));
  assert.equal(foreign, "/");
});

Deno.test({
  name: "the app's form post answers a 303 that stays on the site",
  async fn() {
    await using app = await startApp({ env: { HERALD_BROKER: "memory" } });
    for (const field of ["/.//evil.example/", "/a/..//evil.example/"]) {
      const res = await fetch(`${app.url}/api/channels/news/messages`, {
        method: "POST",
        body: new URLSearchParams({ data: "hello", redirect: field }),
        redirect: "manual",
      });
      await res.body?.cancel();
      assert.equal(res.status, 303);
      const location = res.headers.get("location")!;
      assert.equal(
        followed(location, `${app.url}/`).origin,
        app.url,
        `${field} → ${location}`,
      );
    }
  },
});

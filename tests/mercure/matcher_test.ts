/**
 * Topic matchers and token grants, as pure functions: what each matcher
 * type selects, the URL pattern features refused for their matching cost,
 * and malformed Mercure claims refused whole.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseMatcher, parseSelector } from "../../lib/mercure/matcher.ts";
import { grantOf } from "../../lib/mercure/claims.ts";
import { HttpError } from "../../lib/http/error.ts";

const HUB = "https://hub.example/.well-known/mercure";

Deno.test("matchers: exact is byte for byte, * is everything, URL patterns and URI templates match one segment per variable", () => {
  const exact = parseMatcher("Exact", "https://a.example/Books/1", HUB);
  assert.equal(exact.test("https://a.example/Books/1"), true);
  assert.equal(exact.test("https://a.example/books/1"), false);
  assert.equal(
    parseMatcher("URLPattern", "*", HUB).test("anything at all"),
    true,
  );
  const pattern = parseMatcher(
    "URLPattern",
    "https://a.example/books/:id",
    HUB,
  );
  assert.equal(pattern.test("https://a.example/books/1"), true);
  assert.equal(pattern.test("https://a.example/books/1/reviews"), false);
  assert.equal(pattern.test("not a url"), false);
  const template = parseSelector("https://a.example/books/{id}", HUB);
  assert.equal(template.test("https://a.example/books/42"), true);
  assert.equal(template.test("https://a.example/books/"), false);
  // Pattern syntax inside a template's literal parts is literal.
  assert.equal(parseSelector("urn:x:{id}", HUB).test("urn:x:1"), true);
  assert.equal(parseSelector("urn:x.{id}", HUB).test("urn:xy1"), false);
  assert.equal(parseSelector("urn:x:{id}", HUB).test("urn:x:1:2"), false);
  // Expressions that could split a value two ways are refused (no backtracking).
  assert.throws(() => parseSelector("urn:{a}{b}", HUB), /followed/);
  assert.throws(() => parseSelector("urn:{a}x{b}", HUB), /followed/);
  assert.throws(() => parseSelector("urn:{a", HUB), /template/);
  // Host case and percent-encoding are canonical on both sides.
  const accented = parseMatcher(
    "URLPattern",
    "https://Example.COM/café/:id",
    HUB,
  );
  assert.equal(accented.test("https://example.com/caf%C3%A9/1"), true);
  assert.equal(accented.test("https://EXAMPLE.com/café/2"), true);
  assert.equal(accented.test("https://example.com/cafe/2"), false);
  const anyHost = parseMatcher("URLPattern", "https://*.example.com/:id", HUB);
  assert.equal(anyHost.test("https://a.example.com/1"), true);
  assert.equal(anyHost.test("https://a.example.org/1"), false);
  const relative = parseMatcher("URLPattern", "/books/:id", HUB);
  assert.equal(relative.test("/books/1"), true);
  assert.equal(relative.test("https://hub.example/books/1"), true);
  assert.equal(relative.test("https://other.example/books/1"), false);
});

Deno.test("matchers: URL patterns whose matching could take exponential time are refused", () => {
  for (
    const pattern of [
      "https://a.example/(a+)+b",
      "https://a.example/:id(\\d+)",
      "https://a.example/{:a}+",
      "https://a.example/:a*",
      "https://a.example/{x}*",
      "https://a.example/*/*",
      "https://a.example/*a*b",
      "https://a.example/:a:b:c:d/x",
      "https://a.example/{:a}?{:b}?/x",
      "https://a.example/:a-*",
    ]
  ) {
    assert.throws(() => parseMatcher("URLPattern", pattern, HUB), pattern);
  }
  // Escaped, the same characters are plain text.
  assert.equal(
    parseMatcher("URLPattern", "https://a.example/a\\+b", HUB).test(
      "https://a.example/a+b",
    ),
    true,
  );
  // The worst allowed pattern against a long topic still answers.
  const worst = parseMatcher("URLPattern", "https://a.example/*/:id/z", HUB);
  assert.equal(worst.test("https://a.example/" + "a/".repeat(1000)), false);
  // One variable part per segment, one wildcard: the common patterns pass.
  for (
    const pattern of [
      "https://a.example/books/:id",
      "https://a.example/books/:id/reviews/:review",
      "https://a.example/users/:user/*",
      "https://a.example/books/:id.json",
    ]
  ) {
    assert.doesNotThrow(
      () => parseMatcher("URLPattern", pattern, HUB),
      pattern,
    );
  }
});

Deno.test("grants: the mercure claim and authorization_details both grant; a malformed entry voids the token", () => {
  const grant = grantOf({
    sub: "alice",
    mercure: { publish: ["urn:a"], subscribe: ["https://a.example/{id}"] },
    authorization_details: [
      { type: "other", anything: true },
      {
        type: "mercure",
        actions: ["publish", "subscribe"],
        topics: [{ match: "https://b.example/:id", matchType: "URLPattern" }],
      },
    ],
  }, HUB);
  assert.equal(grant.sub, "alice");
  assert.deepEqual(grant.publish.map((m) => m.match), [
    "urn:a",
    "https://b.example/:id",
  ]);
  assert.equal(
    grant.subscribe.some((m) => m.test("https://a.example/1")),
    true,
  );
  assert.equal(
    grant.subscribe.some((m) => m.test("https://b.example/1")),
    true,
  );
  assert.equal(grant.publish.some((m) => m.test("https://a.example/1")), false);
  for (
    const claims of [
      { mercure: ["*"] },
      { mercure: { publish: "*" } },
      { authorization_details: { type: "mercure" } },
      {
        authorization_details: [{
          type: "mercure",
          actions: ["read"],
          topics: [{ match: "*" }],
        }],
      },
      {
        authorization_details: [{
          type: "mercure",
          actions: ["publish"],
          topics: [],
        }],
      },
      {
        authorization_details: [{
          type: "mercure",
          actions: ["publish"],
          topics: ["urn:a"],
        }],
      },
      {
        authorization_details: [{
          type: "mercure",
          actions: ["publish"],
          topics: [{ match: "urn:a", matchType: "Regex" }],
        }],
      },
      {
        authorization_details: [{
          type: "mercure",
          actions: ["publish"],
          topics: [{ match: "https://a/(a+)+", matchType: "URLPattern" }],
        }],
      },
    ]
  ) {
    assert.throws(
      () => grantOf(claims, HUB),
      (err) =>
        err instanceof HttpError && err.status === 401 &&
        err.code === "invalid_token",
      JSON.stringify(claims),
    );
  }
});

import assert from "node:assert/strict";
import { matchesAny, matchPattern } from "../../lib/access/pattern.ts";

Deno.test("a literal pattern matches only the same channel", () => {
  assert.ok(matchPattern("news", "news"));
  assert.ok(!matchPattern("news", "newsy"));
  assert.ok(!matchPattern("news", "new"));
  assert.ok(!matchPattern("news", "News"));
  assert.ok(matchPattern("", ""));
  assert.ok(!matchPattern("", "a"));
});

Deno.test("* matches any run of characters, including none and colons", () => {
  assert.ok(matchPattern("room:*", "room:lobby"));
  assert.ok(matchPattern("room:*", "room:"));
  assert.ok(matchPattern("room:*", "room:a:b:c"));
  assert.ok(!matchPattern("room:*", "rooms"));
  assert.ok(!matchPattern("room:*", "xroom:a"));
  assert.ok(matchPattern("*", ""));
  assert.ok(matchPattern("*", "anything:at:all"));
  assert.ok(matchPattern("**", "x"));
  assert.ok(matchPattern("*:logs", "svc:api:logs"));
  assert.ok(!matchPattern("*:logs", "svc:api:logs2"));
  assert.ok(matchPattern("a*b*c", "abc"));
  assert.ok(matchPattern("a*b*c", "aXbYbZc"));
  assert.ok(!matchPattern("a*b*c", "aXbYcZ"));
  assert.ok(matchPattern("a*a", "aa"));
  assert.ok(!matchPattern("a*a", "a"));
});

Deno.test("other characters are literal, never regular-expression syntax", () => {
  assert.ok(matchPattern("a.b", "a.b"));
  assert.ok(!matchPattern("a.b", "axb"));
  assert.ok(!matchPattern("a?", "ab"));
  assert.ok(matchPattern("a+[b]", "a+[b]"));
  assert.ok(!matchPattern("(a|b)", "a"));
  assert.ok(matchPattern("chat:*", "chat:*"));
});

Deno.test("a hostile pattern does not take exponential time", () => {
  // A regex-based matcher backtracks exponentially here; this one is O(n*m).
  const pattern = "*a".repeat(30) + "b";
  const channel = "a".repeat(5000);
  assert.ok(!matchPattern(pattern, channel));
});

Deno.test("matchesAny is true when one pattern matches", () => {
  assert.ok(matchesAny(["news", "room:*"], "room:1"));
  assert.ok(!matchesAny(["news", "room:*"], "roomy"));
  assert.ok(!matchesAny([], "news"));
});

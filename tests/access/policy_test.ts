import assert from "node:assert/strict";
import {
  type Credentials,
  decide,
  patternsGrant,
  type PolicyOptions,
} from "../../lib/access/policy.ts";
import type { TokenGrant } from "../../lib/access/token.ts";

const open: PolicyOptions = {
  tokensEnabled: false,
  publicSubscribe: ["*"],
  sessionPublish: ["notifications", "chat:*"],
};
const secured: PolicyOptions = { ...open, tokensEnabled: true };

const nobody: Credentials = { token: null, session: null };
const aliceSession: Credentials = {
  token: null,
  session: { id: "anon-alice", name: "Swift Otter 42" },
};
function token(
  sub: string | null,
  subscribe: string[],
  publish: string[],
): Credentials {
  const grant: TokenGrant = { sub, subscribe, publish, key: `sub:${sub}` };
  return { token: grant, session: null };
}

type Row = [
  options: PolicyOptions,
  action: "subscribe" | "publish",
  channel: string,
  who: Credentials,
  expected: "allow" | 401 | 403,
];

const rows: Row[] = [
  // Open mode (no secret): public channels open both ways.
  [open, "subscribe", "news", nobody, "allow"],
  [open, "publish", "news", nobody, "allow"],
  [open, "publish", "chat:lobby", aliceSession, "allow"],
  // …user: and private: closed, except a session's own user channel for reading.
  [open, "subscribe", "user:anon-alice", nobody, 401],
  [open, "subscribe", "user:anon-alice", aliceSession, "allow"],
  [open, "subscribe", "user:anon-bob", aliceSession, 403],
  // …and its owner may post to it ("only me"); nobody else may.
  [open, "publish", "user:anon-alice", aliceSession, "allow"],
  [open, "publish", "user:anon-bob", aliceSession, 403],
  [open, "publish", "user:anon-alice", nobody, 403],
  // A session's private channels: only that session reads them; nobody publishes.
  [
    open,
    "subscribe",
    "private:session.anon-alice.answers",
    aliceSession,
    "allow",
  ],
  [open, "subscribe", "private:session.anon-alice.answers", nobody, 403],
  [open, "subscribe", "private:session.anon-bob.answers", aliceSession, 403],
  [open, "subscribe", "private:session.anon-alice", aliceSession, 403],
  [open, "subscribe", "private:session.anon-alicex.answers", aliceSession, 403],
  [open, "publish", "private:session.anon-alice.answers", aliceSession, 403],
  [
    secured,
    "subscribe",
    "private:session.anon-alice.answers",
    aliceSession,
    "allow",
  ],
  [
    secured,
    "subscribe",
    "private:session.anon-alice.answers",
    token("anon-alice", ["*"], []),
    403,
  ],
  [secured, "publish", "private:session.anon-alice.answers", aliceSession, 401],
  [open, "subscribe", "private:ops", nobody, 403],
  [open, "publish", "private:ops", nobody, 403],
  // With a secret: public channels stay readable by anyone.
  [secured, "subscribe", "news", nobody, "allow"],
  [secured, "subscribe", "news", token("alice", [], []), "allow"],
  // Publishing needs a token whose patterns allow the channel…
  [secured, "publish", "news", nobody, 401],
  [secured, "publish", "room:1", token("alice", [], ["room:*"]), "allow"],
  [secured, "publish", "news", token("alice", [], ["room:*"]), 403],
  // …or, for a session, the session-publish patterns.
  [secured, "publish", "chat:lobby", aliceSession, "allow"],
  [secured, "publish", "notifications", aliceSession, "allow"],
  [secured, "publish", "room:1", aliceSession, 401],
  // user:{id} is readable by that user only.
  [secured, "subscribe", "user:alice", token("alice", [], []), "allow"],
  [secured, "subscribe", "user:alice", token("bob", [], []), 403],
  [secured, "subscribe", "user:alice", nobody, 401],
  [secured, "subscribe", "user:anon-alice", aliceSession, "allow"],
  [secured, "subscribe", "user:anon-bob", aliceSession, 401],
  [secured, "subscribe", "user:alice2", token("alice", [], []), 403],
  [secured, "publish", "user:alice", token("alice", [], []), "allow"],
  [secured, "publish", "user:bob", token("alice", [], []), 403],
  [secured, "publish", "user:anon-alice", aliceSession, "allow"],
  [secured, "publish", "user:anon-bob", aliceSession, 401],
  // A bare * never opens reserved namespaces; naming the namespace does.
  [secured, "subscribe", "user:bob", token("admin", ["*"], []), 403],
  [secured, "subscribe", "user:bob", token("support", ["user:*"], []), "allow"],
  [secured, "publish", "user:bob", token(null, [], ["*"]), 403],
  [secured, "publish", "user:bob", token(null, [], ["user:*"]), "allow"],
  [secured, "subscribe", "private:ops", token("a", ["*"], []), 403],
  [
    secured,
    "subscribe",
    "private:ops",
    token("a", ["private:ops"], []),
    "allow",
  ],
  [secured, "subscribe", "private:ops", aliceSession, 401],
  // A session may not publish to user channels even with a wide pattern.
  [
    { ...secured, sessionPublish: ["*"] },
    "publish",
    "user:anon-bob",
    aliceSession,
    401,
  ],
  // HERALD_PUBLIC_SUBSCRIBE narrows what is public.
  [
    { ...secured, publicSubscribe: ["news"] },
    "subscribe",
    "room:1",
    nobody,
    401,
  ],
  [{ ...secured, publicSubscribe: [] }, "subscribe", "news", nobody, 401],
  [{ ...open, publicSubscribe: ["news"] }, "publish", "room:1", nobody, 403],
];

for (const [options, action, channel, who, expected] of rows) {
  const mode = options.tokensEnabled ? "secret" : "open";
  const holder = who.token
    ? `token(${who.token.sub}; sub ${who.token.subscribe}; pub ${who.token.publish})`
    : who.session
    ? "session"
    : "nobody";
  Deno.test(`policy [${mode}] ${holder} ${action} ${channel} → ${expected}`, () => {
    const decision = decide(action, channel, who, options);
    if (expected === "allow") {
      assert.deepEqual(decision, { allowed: true });
    } else {
      assert.equal(decision.allowed, false);
      assert.equal(!decision.allowed && decision.status, expected);
      assert.ok(!decision.allowed && decision.message.includes(channel));
    }
  });
}

Deno.test("patternsGrant needs the namespace named for reserved channels", () => {
  assert.ok(patternsGrant(["user:*"], "user:x"));
  assert.ok(!patternsGrant(["*"], "user:x"));
  assert.ok(!patternsGrant(["u*"], "user:x"));
  assert.ok(patternsGrant(["*"], "room:x"));
  assert.ok(!patternsGrant([], "room:x"));
});

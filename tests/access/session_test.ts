import assert from "node:assert/strict";
import {
  deriveSessionKey,
  newSession,
  readSession,
  sessionCookie,
  sessionKeyFor,
  signSession,
  verifySession,
} from "../../lib/access/session.ts";

Deno.test("a new session has an anonymous id and a display name", () => {
  const a = newSession();
  const b = newSession();
  assert.match(a.id, /^anon-[0-9a-f]{20}$/);
  assert.match(a.name, /^[A-Z][a-z]+ [A-Z][a-z]+ \d{2}$/);
  assert.ok(a.id !== b.id);
});

Deno.test("a signed session verifies and round-trips", async () => {
  const key = await deriveSessionKey("secret");
  const session = { id: "anon-1", name: "Swift Otter 42" };
  assert.deepEqual(
    await verifySession(await signSession(session, key), key),
    session,
  );
});

Deno.test("a tampered session cookie is rejected", async () => {
  const key = await deriveSessionKey("secret");
  const value = await signSession({ id: "anon-1", name: "Calm Seal 10" }, key);
  const [v, payload, sig] = value.split(".");
  const forged = btoa(JSON.stringify({ i: "anon-2", n: "x", t: 1e10 }))
    .replaceAll("=", "");
  assert.deepEqual(await verifySession(`${v}.${forged}.${sig}`, key), null);
  const flipped = sig.slice(0, -2) + (sig.endsWith("AA") ? "BB" : "AA");
  assert.deepEqual(
    await verifySession(`${v}.${payload}.${flipped}`, key),
    null,
  );
  assert.deepEqual(await verifySession(`${v}.${payload}`, key), null);
  assert.deepEqual(await verifySession("garbage", key), null);
  assert.deepEqual(await verifySession("v1.%%%.***", key), null);
  assert.deepEqual(await verifySession("x".repeat(5000), key), null);
});

Deno.test("a session signed with another key is rejected", async () => {
  const value = await signSession(
    { id: "anon-1", name: "n" },
    await deriveSessionKey("one"),
  );
  assert.deepEqual(
    await verifySession(value, await deriveSessionKey("two")),
    null,
  );
  assert.deepEqual(
    await verifySession(
      value,
      await sessionKeyFor({ sessionSecret: null, jwtSecret: null }),
    ),
    null,
  );
});

Deno.test("the same secret gives the same key in every process", async () => {
  const value = await signSession(
    { id: "anon-1", name: "n" },
    await sessionKeyFor({ sessionSecret: null, jwtSecret: "jwt" }),
  );
  const again = await sessionKeyFor({ sessionSecret: null, jwtSecret: "jwt" });
  assert.deepEqual((await verifySession(value, again))?.id, "anon-1");
  const own = await sessionKeyFor({ sessionSecret: "own", jwtSecret: "jwt" });
  assert.deepEqual(await verifySession(value, own), null);
});

Deno.test("a session older than its max age is rejected", async () => {
  const key = await deriveSessionKey("secret");
  const longAgo = Date.now() - 400 * 24 * 3600 * 1000;
  const value = await signSession({ id: "anon-1", name: "n" }, key, longAgo);
  assert.deepEqual(await verifySession(value, key), null);
});

Deno.test("the cookie is HttpOnly, SameSite=Lax, and Secure over https", async () => {
  const key = await deriveSessionKey("secret");
  const session = { id: "anon-1", name: "Swift Otter 42" };
  const plain = await sessionCookie(session, key, { secure: false });
  assert.match(plain, /^herald_session=v1\.[\w-]+\.[\w-]+; Path=\/; /);
  assert.ok(plain.includes("HttpOnly"));
  assert.ok(plain.includes("SameSite=Lax"));
  assert.ok(!plain.includes("Secure"));
  assert.ok(
    (await sessionCookie(session, key, { secure: true })).includes("; Secure"),
  );
  const value = plain.split(";")[0].slice("herald_session=".length);
  const req = new Request("http://x/", {
    headers: { cookie: `other=1; herald_session=${value}` },
  });
  assert.deepEqual(await readSession(req, key), session);
});

import assert from "node:assert/strict";
import { exportSPKI, generateKeyPair, SignJWT } from "jose";
import { HttpError } from "../../lib/http/error.ts";
import { createTokenVerifier, readToken } from "../../lib/access/token.ts";
import { forgedToken, hsToken, noneToken, SECRET } from "./_tokens.ts";

const verifier = createTokenVerifier({ secret: SECRET });
const claims = {
  sub: "alice",
  herald: { subscribe: ["user:alice", "room:*"], publish: ["room:*"] },
};

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof HttpError, `expected HttpError, got ${err}`);
    return err;
  }
  throw new Error("expected a rejection");
}

Deno.test("a valid HS256 token gives its sub and patterns", async () => {
  const grant = await verifier.verify(await hsToken(claims));
  assert.equal(grant.sub, "alice");
  assert.deepEqual(grant.subscribe, ["user:alice", "room:*"]);
  assert.deepEqual(grant.publish, ["room:*"]);
  assert.equal(grant.key, "sub:alice");
});

Deno.test("a token without herald claims grants nothing but still identifies", async () => {
  const grant = await verifier.verify(await hsToken({ sub: "bob" }));
  assert.deepEqual([grant.sub, grant.subscribe, grant.publish], [
    "bob",
    [],
    [],
  ]);
});

Deno.test("a backend token without sub is keyed by jti or a digest", async () => {
  const a = await verifier.verify(await hsToken({ jti: "backend-1" }));
  assert.equal(a.sub, null);
  assert.equal(a.key, "jti:backend-1");
  const b = await verifier.verify(
    await hsToken({ herald: { publish: ["*"] } }),
  );
  assert.match(b.key, /^tok:[0-9a-f]{24}$/);
});

Deno.test("a forged signature is rejected with 401 token_signature", async () => {
  const err = await rejection(
    verifier.verify(await forgedToken({ sub: "admin" })),
  );
  assert.equal(err.status, 401);
  assert.equal(err.code, "token_signature");
});

Deno.test("a token signed with another secret is rejected", async () => {
  const err = await rejection(
    verifier.verify(await hsToken(claims, { secret: "another-secret" })),
  );
  assert.equal(err.status, 401);
  assert.equal(err.code, "token_signature");
});

Deno.test("an expired token is rejected with 401 token_expired", async () => {
  const err = await rejection(
    verifier.verify(await hsToken(claims, { expiresIn: -60 })),
  );
  assert.equal(err.status, 401);
  assert.equal(err.code, "token_expired");
  assert.match(err.message, /expired/);
});

Deno.test("alg none is rejected before anything else", async () => {
  const token = noneToken({ sub: "admin", herald: { publish: ["*"] } });
  const err = await rejection(verifier.verify(token));
  assert.equal(err.status, 401);
  assert.equal(err.code, "token_algorithm");
  assert.match(err.message, /none/);
});

Deno.test("garbage, oversized and bad-claim tokens are 401 with a clear code", async () => {
  for (const bad of ["", "abc", "a.b.c", "x".repeat(10_000)]) {
    const err = await rejection(verifier.verify(bad));
    assert.equal(err.status, 401);
    assert.equal(err.code, "token_malformed");
  }
  const wrongShape = await hsToken({
    sub: "a",
    herald: { subscribe: "room:*" },
  });
  assert.equal(
    (await rejection(verifier.verify(wrongShape))).code,
    "token_claims",
  );
  const numericSub = await hsToken({ sub: 42 });
  assert.equal(
    (await rejection(verifier.verify(numericSub))).code,
    "token_claims",
  );
});

Deno.test("error messages never contain the token", async () => {
  const token = await forgedToken({ sub: "mallory" });
  const err = await rejection(verifier.verify(token));
  assert.ok(!err.message.includes(token.split(".")[1]));
});

Deno.test("RS256 and ES256 tokens verify with HERALD_JWT_PUBLIC_KEY", async () => {
  for (const alg of ["RS256", "ES256"] as const) {
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
    });
    const pem = await exportSPKI(publicKey);
    const asym = createTokenVerifier({ publicKeyPem: pem });
    const token = await new SignJWT(claims).setProtectedHeader({ alg })
      .setExpirationTime("1h").sign(privateKey);
    assert.equal((await asym.verify(token)).sub, "alice");
    // An HS256 token signed with the public key as secret (key confusion) is refused.
    const confused = await hsToken(claims, { secret: pem });
    assert.equal(
      (await rejection(asym.verify(confused))).code,
      "token_algorithm",
    );
    // A token signed by another key pair is refused.
    const other = await generateKeyPair(alg);
    const stranger = await new SignJWT(claims).setProtectedHeader({ alg })
      .setExpirationTime("1h").sign(other.privateKey);
    assert.equal(
      (await rejection(asym.verify(stranger))).code,
      "token_signature",
    );
  }
});

Deno.test("issuer and audience are enforced when configured", async () => {
  const strict = createTokenVerifier({
    secret: SECRET,
    issuer: "https://auth.example",
    audience: "herald",
  });
  const good = await new SignJWT({ sub: "a" }).setProtectedHeader({
    alg: "HS256",
  })
    .setIssuer("https://auth.example").setAudience("herald").setExpirationTime(
      "1h",
    )
    .sign(new TextEncoder().encode(SECRET));
  assert.equal((await strict.verify(good)).sub, "a");
  const err = await rejection(strict.verify(await hsToken({ sub: "a" })));
  assert.equal(err.code, "token_claims");
});

Deno.test("a token is read from the header, else the cookie, else the query", () => {
  const url = "http://h.test/api/events?channel=a&token=from-query";
  assert.deepEqual(
    readToken(
      new Request(url, {
        headers: {
          authorization: "Bearer from-header",
          cookie: "herald_token=from-cookie",
        },
      }),
    ),
    { token: "from-header", source: "header" },
  );
  assert.deepEqual(
    readToken(
      new Request(url, {
        headers: { cookie: "a=b; herald_token=from-cookie" },
      }),
    ),
    { token: "from-cookie", source: "cookie" },
  );
  assert.deepEqual(readToken(new Request(url)), {
    token: "from-query",
    source: "query",
  });
  assert.equal(
    readToken(new Request("http://h.test/api/events?channel=a")),
    null,
  );
  assert.deepEqual(
    readToken(
      new Request(url, { headers: { authorization: "bearer   lower" } }),
    ),
    { token: "lower", source: "header" },
  );
});

Deno.test("an Authorization header of another scheme is not a token; a bad Bearer is a 401", () => {
  // Basic credentials of a password-protected proxy (nginx auth_basic passes
  // them on) are no Herald credential: the cookie or query still counts.
  assert.deepEqual(
    readToken(
      new Request("http://h.test/?token=from-query", {
        headers: { authorization: "Basic YTpi" },
      }),
    ),
    { token: "from-query", source: "query" },
  );
  for (const authorization of ["Bearer", "Bearer a b", "Bearer "]) {
    assert.throws(
      () =>
        readToken(
          new Request("http://h.test/", { headers: { authorization } }),
        ),
      (err: unknown) => err instanceof HttpError && err.status === 401,
      authorization,
    );
  }
});

Deno.test("without any key configured the verifier is off", () => {
  assert.equal(createTokenVerifier({}).enabled, false);
  assert.equal(createTokenVerifier({ secret: "" }).enabled, false);
  assert.equal(verifier.enabled, true);
});

/**
 * `deno task token` against a running Herald: its output is accepted for
 * exactly the channels it names, signed with HERALD_JWT_SECRET or with an
 * ES256 private key whose public half the server holds; bad input exits
 * non-zero with a message.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { REPO_ROOT } from "../_support/server.ts";
import { startHerald } from "../realtime/process/_servers.ts";

async function token(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "token", ...args],
    cwd: REPO_ROOT,
    // Only what deno itself needs, so no HERALD_* of the test run leaks in.
    env: {
      NO_COLOR: "1",
      PATH: Deno.env.get("PATH") ?? "",
      HOME: Deno.env.get("HOME") ?? "",
      ...(Deno.env.get("DENO_DIR")
        ? { DENO_DIR: Deno.env.get("DENO_DIR")! }
        : {}),
      ...env,
    },
    clearEnv: true,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return {
    code: result.code,
    out: text(result.stdout),
    err: text(result.stderr),
  };
}

const ARGS = [
  "--sub",
  "alice",
  "--subscribe",
  "user:alice,news",
  "--publish",
  "news",
  "--ttl",
  "1h",
];

async function acceptedFor(url: string, jwt: string) {
  const auth = { authorization: `Bearer ${jwt}` };
  const publish = async (channel: string) => {
    const res = await fetch(`${url}/api/channels/${channel}/messages`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: '{"data":1}',
    });
    await res.body?.cancel();
    return res.status;
  };
  const read = async (channel: string) => {
    const res = await fetch(`${url}/api/channels/${channel}/messages`, {
      headers: auth,
    });
    await res.body?.cancel();
    return res.status;
  };
  return {
    publishNews: await publish("news"),
    publishOther: await publish("other"),
    readOwn: await read("user:alice"),
    readNews: await read("news"),
    readBob: await read("user:bob"),
  };
}

const EXPECTED = {
  publishNews: 201,
  publishOther: 403,
  readOwn: 200,
  readNews: 200,
  readBob: 403,
};

Deno.test("deno task token signs with HERALD_JWT_SECRET and the server accepts it for its channels", async () => {
  const secret = "a-test-secret-long-enough-for-hs256-tokens";
  const { code, out } = await token(ARGS, { HERALD_JWT_SECRET: secret });
  assertEquals(code, 0);
  assert(/^[\w-]+\.[\w-]+\.[\w-]+$/.test(out), out);
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: secret,
    HERALD_PUBLIC_SUBSCRIBE: "",
  });
  assertEquals(await acceptedFor(server.url, out), EXPECTED);
  const other = await token(ARGS, {
    HERALD_JWT_SECRET: "another-secret-of-enough-length-xx",
  });
  const forged = await fetch(`${server.url}/api/channels/news/messages`, {
    headers: { authorization: `Bearer ${other.out}` },
  });
  assertEquals(forged.status, 401);
  await forged.body?.cancel();
});

Deno.test("deno task token signs with an ES256 private key file", async () => {
  const pair = await crypto.subtle.generateKey(
    { name: "ECDSA", namedCurve: "P-256" },
    true,
    ["sign", "verify"],
  ) as CryptoKeyPair;
  const pem = (label: string, der: ArrayBuffer) =>
    `-----BEGIN ${label}-----\n${
      btoa(String.fromCharCode(...new Uint8Array(der))).match(/.{1,64}/g)!
        .join("\n")
    }\n-----END ${label}-----\n`;
  const dir = await Deno.makeTempDir({ prefix: "herald-token-" });
  try {
    const keyFile = `${dir}/private.pem`;
    await Deno.writeTextFile(
      keyFile,
      pem(
        "PRIVATE KEY",
        await crypto.subtle.exportKey("pkcs8", pair.privateKey),
      ),
    );
    const { code, out } = await token([...ARGS, "--key-file", keyFile], {});
    assertEquals(code, 0);
    assertEquals(JSON.parse(atob(out.split(".")[0])).alg, "ES256");
    await using server = await startHerald({
      HERALD_BROKER: "memory",
      HERALD_JWT_PUBLIC_KEY: pem(
        "PUBLIC KEY",
        await crypto.subtle.exportKey("spki", pair.publicKey),
      ),
      HERALD_PUBLIC_SUBSCRIBE: "",
    });
    assertEquals(await acceptedFor(server.url, out), EXPECTED);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task token refuses bad input with a message and a non-zero exit", async () => {
  const noKey = await token(ARGS, {});
  assertEquals(noKey.code, 2);
  assert(noKey.err.includes("HERALD_JWT_SECRET"), noKey.err);
  const badTtl = await token(["--ttl", "soon"], { HERALD_JWT_SECRET: "x" });
  assertEquals(badTtl.code, 2);
  assert(badTtl.err.includes("ttl"), badTtl.err);
  const unknown = await token(["--sudo"], { HERALD_JWT_SECRET: "x" });
  assertEquals(unknown.code, 2);
});

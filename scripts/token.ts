/**
 * `deno task token`: prints a signed Herald token (HS256 with `HERALD_JWT_SECRET`, or
 * RS256/ES256 with a private key; README, SDKs and tokens).
 *
 * @example
 * ```sh
 * HERALD_JWT_SECRET=… deno task token --sub alice --subscribe 'user:alice,news' --publish news --ttl 1h
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { envValue } from "../lib/config/env.ts";
import { mintToken } from "../sdk/publisher.ts";

const USAGE =
  `usage: deno task token [--sub ID] [--subscribe 'a,b:*'] [--publish 'a'] [--ttl 1h]
                       [--key-file private.pem] [--iss ISSUER] [--aud AUDIENCE]
signs with HERALD_JWT_SECRET (HS256), or a PKCS#8 private key (RS256/ES256) from
--key-file or HERALD_JWT_PRIVATE_KEY`;

const list = (text?: string) =>
  (text ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "");

async function main(args: string[]): Promise<string> {
  const { values } = parseArgs({
    args,
    options: {
      sub: { type: "string" },
      subscribe: { type: "string" },
      publish: { type: "string" },
      ttl: { type: "string", default: "1h" },
      "key-file": { type: "string" },
      iss: { type: "string" },
      aud: { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) return USAGE;
  const keyFile = values["key-file"];
  const privateKeyPem = keyFile
    ? await Deno.readTextFile(keyFile)
    : envValue(Deno.env, "HERALD_JWT_PRIVATE_KEY");
  const secret = privateKeyPem
    ? undefined
    : envValue(Deno.env, "HERALD_JWT_SECRET");
  if (!secret && !privateKeyPem) {
    throw new Error(
      "no signing key: set HERALD_JWT_SECRET, or HERALD_JWT_PRIVATE_KEY, or pass --key-file",
    );
  }
  return await mintToken({
    secret,
    privateKeyPem,
    sub: values.sub,
    subscribe: list(values.subscribe),
    publish: list(values.publish),
    ttl: values.ttl,
    issuer: values.iss ?? envValue(Deno.env, "HERALD_JWT_ISSUER"),
    audience: values.aud ?? envValue(Deno.env, "HERALD_JWT_AUDIENCE"),
  });
}

if (import.meta.main) {
  try {
    console.log(await main(Deno.args));
  } catch (err) {
    console.error(`token: ${(err as Error).message}\n${USAGE}`);
    Deno.exit(2);
  }
}

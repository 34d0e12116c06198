/**
 * The SDKs against a real Herald process: the publisher client under Deno
 * (publish, batch, history paging, a retry after a lost answer publishes
 * once, tokens it mints) and under Node (the bundled sdk/dist build), and the
 * committed /herald.js is what `deno task sdk` builds from lib/client.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import * as esbuild from "esbuild";
import {
  HeraldError,
  HeraldPublisher,
  mintToken,
} from "../../sdk/publisher.ts";
import {
  buildHeraldJs,
  buildPublisherJs,
  HERALD_JS,
} from "../../scripts/build_sdk.ts";
import { REPO_ROOT } from "../_support/server.ts";
import { requirement } from "../_support/requirement.ts";
import { startHerald } from "../realtime/process/_servers.ts";

const SECRET = "sdk-test-secret-long-enough-for-hs256";

Deno.test("the committed /herald.js is the build of sdk/herald_browser.ts and lib/client", async () => {
  try {
    const built = await buildHeraldJs();
    const committed = await Deno.readFile(`${REPO_ROOT}${HERALD_JS}`);
    assert(
      built.length === committed.length &&
        built.every((b, i) => b === committed[i]),
      `${HERALD_JS} is stale: run deno task sdk`,
    );
  } finally {
    await esbuild.stop();
  }
});

Deno.test("publisher SDK (Deno): publish, batch, history pages, a retried publish lands once, minted tokens", async () => {
  await using server = await startHerald({
    HERALD_BROKER: "memory",
    HERALD_JWT_SECRET: SECRET,
  });
  const token = await mintToken({
    secret: SECRET,
    sub: "backend",
    publish: ["news", "sdk:*"],
    subscribe: ["*"],
    ttl: "10m",
  });
  const herald = new HeraldPublisher({ url: server.url, token });
  const first = await herald.publish("news", { n: 0 }, { event: "headline" });
  assertEquals([first.channel, first.replayed], ["news", false]);
  const again = await herald.publish("news", { n: 0 }, {
    event: "headline",
    idempotencyKey: "fixed",
  });
  const repeat = await herald.publish("news", { n: 0 }, {
    event: "headline",
    idempotencyKey: "fixed",
  });
  assertEquals([repeat.id, repeat.replayed], [again.id, true]);

  const results = await herald.publishBatch(
    Array.from({ length: 5 }, (_, i) => ({ channel: "sdk:b", data: i })),
  );
  assertEquals(results.length, 5);
  assert(results.every((r) => "id" in r));

  // Paging: backward from the newest, two at a time, and forward as events.
  const back: number[][] = [];
  for await (const page of herald.pages<number>("sdk:b", { limit: 2 })) {
    back.push(page.events.map((e) => e.data));
  }
  assertEquals(back, [[3, 4], [1, 2], [0]]);
  const all: number[] = [];
  for await (const e of herald.events<number>("sdk:b", { limit: 2 })) {
    all.push(e.data);
  }
  assertEquals(all, [0, 1, 2, 3, 4]);

  // A lost answer: the request reached Herald, the reply did not come back.
  let dropped = 0;
  const lossy = new HeraldPublisher({
    url: server.url,
    token,
    backoffMs: 10,
    fetch: async (input, init) => {
      const res = await fetch(input, init);
      if (init?.method === "POST" && dropped++ === 0) {
        await res.body?.cancel();
        throw new TypeError("connection reset");
      }
      return res;
    },
  });
  const retried = await lossy.publish("sdk:lossy", { once: true });
  assertEquals(retried.replayed, true, "the retry got the first answer");
  const stored = await herald.history("sdk:lossy");
  assertEquals(stored.events.map((e) => e.id), [retried.id]);

  // Errors that retrying cannot fix are thrown at once, with their code.
  const refused = await herald.publish("elsewhere", 1).catch((e) => e);
  assert(refused instanceof HeraldError);
  assertEquals([refused.status, refused.code], [403, "forbidden"]);
});

Deno.test("publisher SDK (Node): the bundled client publishes, pages history and mints tokens", async () => {
  const node = await new Deno.Command("node", { args: ["--version"] })
    .output().then((o) => o.success).catch(() => false);
  if (!requirement(node, "node", "install Node.js 18+")) return;
  const dir = await Deno.makeTempDir({ prefix: "herald-sdk-node-" });
  try {
    await Deno.writeFile(`${dir}/publisher.mjs`, await buildPublisherJs());
    await esbuild.stop();
    await Deno.writeTextFile(
      `${dir}/main.mjs`,
      `import { HeraldPublisher, mintToken } from "./publisher.mjs";
const [url, secret] = process.argv.slice(2);
const token = await mintToken({ secret, sub: "node", publish: ["node:*"], subscribe: ["*"], ttl: 600 });
const herald = new HeraldPublisher({ url, token });
const one = await herald.publish("node:a", { from: "node" }, { idempotencyKey: "n1" });
const two = await herald.publish("node:a", { from: "node" }, { idempotencyKey: "n1" });
const batch = await herald.publishBatch([{ channel: "node:a", data: 1 }, { channel: "node:a", data: 2 }]);
const seen = [];
for await (const e of herald.events("node:a", { limit: 1 })) seen.push(e.data);
console.log(JSON.stringify({ same: one.id === two.id, replayed: two.replayed, batch: batch.length, seen }));
`,
    );
    await using server = await startHerald({
      HERALD_BROKER: "memory",
      HERALD_JWT_SECRET: SECRET,
    });
    const out = await new Deno.Command("node", {
      args: [`${dir}/main.mjs`, server.url, SECRET],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout).trim();
    assert(out.success, new TextDecoder().decode(out.stderr));
    assertEquals(JSON.parse(text), {
      same: true,
      replayed: true,
      batch: 2,
      seen: [{ from: "node" }, 1, 2],
    });
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});

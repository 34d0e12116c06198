/**
 * The curl, Python (standard library) and PHP examples against a real Herald
 * process: Python and PHP subscribers receive, in order and once, what the
 * Python, PHP and curl publishers send (the curl script's keyed publish sent
 * twice lands once).
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import { REPO_ROOT } from "../_support/server.ts";
import { requirement } from "../_support/requirement.ts";
import { waitFor } from "../_support/wait.ts";
import { startHerald } from "../realtime/process/_servers.ts";

async function has(command: string): Promise<boolean> {
  return await new Deno.Command(command, { args: ["--version"] }).output()
    .then((o) => o.success).catch(() => false);
}

const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();

Deno.test("curl, Python and PHP examples publish and subscribe against a real server", async () => {
  const tools = await Promise.all(["python3", "php", "curl"].map(has));
  if (
    !requirement(
      tools.every(Boolean),
      "python3, php and curl",
      "apt-get install -y python3 php-cli curl",
    )
  ) return;
  await using server = await startHerald({ HERALD_BROKER: "memory" });
  const env = { HERALD_URL: server.url };
  const examples = `${REPO_ROOT}examples/`;
  const run = (cmd: string, args: string[]) =>
    new Deno.Command(cmd, { args, env, stdout: "piped", stderr: "piped" });
  const subscribers = [
    run("python3", [`${examples}herald_client.py`, "subscribe", "news", "6"])
      .spawn(),
    run("php", [`${examples}herald_client.php`, "subscribe", "news", "6"])
      .spawn(),
  ];
  try {
    await waitFor(async () => {
      const health = await (await fetch(`${server.url}/api/health`)).json();
      return health.streams === 2;
    }, "the Python and PHP subscribers to connect");
    const py = await run("python3", [
      `${examples}herald_client.py`,
      "publish",
      "news",
      '{"from": "python"}',
    ]).output();
    assert(py.success, text(py.stderr));
    assertEquals(Object.keys(JSON.parse(text(py.stdout))).sort(), [
      "channel",
      "id",
    ]);
    const php = await run("php", [
      `${examples}herald_client.php`,
      "publish",
      "news",
      '{"from": "php"}',
    ]).output();
    assert(php.success, text(php.stderr));
    const curl = await run("sh", [`${examples}publish.sh`]).output();
    assert(curl.success, text(curl.stderr));
    const lines = text(curl.stdout).split("\n");
    assertEquals(
      lines[1],
      lines[2],
      "the keyed publish answered the same id twice",
    );
    const expected = [
      { from: "python" },
      { from: "php" },
      { title: "hello" },
      { order: 42, status: "shipped" },
      1,
      2,
    ];
    for (const child of subscribers) {
      const out = await child.output();
      assert(out.success, text(out.stderr));
      const events = text(out.stdout).split("\n").map((l) => JSON.parse(l));
      assertEquals(events.map((e) => e.data), expected);
      assertEquals(events[2].event, "headline");
    }
  } finally {
    for (const child of subscribers) {
      try {
        child.kill();
      } catch { /* already done */ }
    }
  }
});

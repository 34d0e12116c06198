/**
 * The app's start (main.ts): every setting is checked before the server
 * listens, so a bad one stops the process at once with a message naming
 * the variable, instead of failing on the first request that reads it.
 *
 * @module
 */
import assert from "node:assert/strict";
import { freePort, REPO_ROOT } from "../_support/server.ts";

/** Runs main.ts with `env` until it exits by itself (bounded); its exit code and output. */
async function runMain(
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const dir = await Deno.makeTempDir({ prefix: "herald-start-" });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: REPO_ROOT,
      env: {
        NO_COLOR: "1",
        PORT: String(freePort()),
        HERALD_KV_PATH: `${dir}/h.kv`,
        ...env,
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    const { code, stdout, stderr } = await child.output();
    clearTimeout(timer);
    const text = new TextDecoder();
    return { code, output: text.decode(stdout) + text.decode(stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (
  const [name, value] of [
    ["HERALD_MAX_STREAMS_PER_IP", "abc"], // access, read per request before
    ["HERALD_FLIGHTS_TICK_MS", "fast"], // flights, read on the first /flights request before
    ["HERALD_CHAT_HISTORY", "-1"], // chat, read on the first chat request before
  ]
) {
  Deno.test(`${name}=${value} stops the app before it listens, naming the variable`, async () => {
    const { code, output } = await runMain({ [name]: value });
    assert.notEqual(code, 0, output);
    assert.match(output, new RegExp(`not started: ${name}\\b`));
    assert.doesNotMatch(output, /Listening on/);
  });
}

Deno.test("PORT=http stops the app before it listens, naming the variable", async () => {
  const { code, output } = await runMain({ PORT: "http" });
  assert.notEqual(code, 0, output);
  assert.match(output, /not started: PORT\b/);
  assert.doesNotMatch(output, /Listening on/);
});

import assert from "node:assert/strict";

async function runUntilSignal(args: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./fixtures/shutdown_hooks.ts", import.meta.url).pathname,
      ...args,
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!out.includes("ready")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  child.kill("SIGTERM");
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    out += r.value;
  }
  const status = await child.status;
  const err = new TextDecoder().decode(
    (await new Response(child.stderr).arrayBuffer()) as ArrayBuffer,
  );
  return { out, err, status };
}

Deno.test("SIGTERM runs every registered hook once, then exits 0", async () => {
  const { out, status } = await runUntilSignal();
  assert.equal(status.code, 0);
  assert.match(out, /closed broker/);
  assert.match(out, /released lease/);
  assert.doesNotMatch(out, /never/);
});

Deno.test("a hook that never finishes cannot keep the process alive", async () => {
  const { out, err, status } = await runUntilSignal(["--stuck"]);
  assert.equal(status.code, 0);
  assert.match(out, /closed broker/);
  assert.match(err, /grace period/);
});

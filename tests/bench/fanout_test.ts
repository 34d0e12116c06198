/**
 * End to end: `bench/fanout.ts` against the raw baseline with a few
 * subscribers, as a separate process (it starts its own server and client
 * processes), checking what it reports.
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "../_support/server.ts";
import type { TargetResult } from "../../bench/lib/measure_target.ts";

Deno.test("deno task bench measures the raw baseline and the hub alone with no loss and stops its processes", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = `${dir}/results.json`;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "bench/fanout.ts",
        "--targets=raw,hub",
        "--subscribers=25",
        "--rates=20,200",
        "--duration=0.5",
        `--json=${json}`,
      ],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.deepEqual(code, 0, out + new TextDecoder().decode(stderr));
    assert.match(out, /\| raw Deno\.serve \| 25 \| 200 \|/);
    assert.match(out, /lost messages, raw Deno\.serve: 0 \(goal 0\) PASS/);

    const { results } = JSON.parse(await Deno.readTextFile(json)) as {
      results: TargetResult[];
    };
    const [raw, hub] = results;
    assert.match(
      out,
      /lost messages, Herald hub, Deno\.serve: 0 \(goal 0\) PASS/,
    );
    assert.deepEqual(hub.connected, 25);
    assert.deepEqual(raw.connected, 25);
    assert.deepEqual(raw.steps.map((s) => s.rate), [20, 200]);
    for (const s of [...raw.steps, ...hub.steps]) {
      assert.deepEqual(s.published, s.rate / 2);
      assert.deepEqual(s.received, 25 * s.published);
      assert.deepEqual(s.lost, 0);
      assert.deepEqual(s.duplicates, 0);
      assert.deepEqual(s.p50 > 0 && s.p50 <= s.p99 && s.p99 <= s.max, true);
    }
    assert.deepEqual(raw.bytesPerConnection > 0, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task bench --closed-loop publishes over exactly P connections, one in flight each, and every subscriber gets every message", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = `${dir}/results.json`;
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "bench/fanout.ts",
        "--targets=raw",
        "--subscribers=20",
        "--closed-loop",
        "--publishers=1,3",
        "--duration=0.5",
        `--json=${json}`,
      ],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
    }).output();
    const out = new TextDecoder().decode(stdout);
    assert.deepEqual(code, 0, out + new TextDecoder().decode(stderr));
    assert.match(out, /\| raw Deno\.serve \| 20 \| closed ×3 \|/);

    const { results } = JSON.parse(await Deno.readTextFile(json)) as {
      results: TargetResult[];
    };
    const [raw] = results;
    assert.deepEqual(raw.steps.map((s) => s.publishers), [1, 3]);
    for (const s of raw.steps) {
      assert.deepEqual(s.publishFailed, 0);
      assert.deepEqual(s.published > 0, true);
      assert.deepEqual(s.publishesPerSec > 0, true);
      assert.deepEqual(s.received, 20 * s.published);
      assert.deepEqual(s.lost, 0);
      assert.deepEqual(s.duplicates, 0);
      assert.deepEqual(s.publishP50 <= s.publishP99, true);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task bench --base runs each Herald target from another checkout too, in the same rounds, and not the baseline", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const json = `${dir}/results.json`;
    const run = (base: string) =>
      new Deno.Command(Deno.execPath(), {
        args: [
          "run",
          "-A",
          "bench/fanout.ts",
          "--targets=raw,hub",
          "--subscribers=10",
          "--rates=20",
          "--duration=0.5",
          `--base=${base}`,
          `--json=${json}`,
        ],
        cwd: REPO_ROOT,
        env: { NO_COLOR: "1" },
      }).output();
    // This checkout stands in for another one.
    const same = await run(REPO_ROOT);
    const out = new TextDecoder().decode(same.stdout);
    assert.deepEqual(same.code, 0, out + new TextDecoder().decode(same.stderr));
    const { results } = JSON.parse(await Deno.readTextFile(json)) as {
      results: TargetResult[];
    };
    assert.deepEqual(results.map((r) => r.label), [
      "raw Deno.serve",
      "Herald hub, Deno.serve",
      "Herald hub, Deno.serve (base)",
    ]);
    const base = results[2];
    assert.deepEqual(base.connected, 10);
    assert.deepEqual(base.steps[0].received, 10 * base.steps[0].published);

    const missing = await run(`${dir}/no-checkout`);
    assert.match(
      new TextDecoder().decode(missing.stdout),
      /SKIPPING Herald hub, Deno\.serve \(base\): --base .*no-checkout has no bench\/hub_sse_server\.ts/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

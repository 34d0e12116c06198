/**
 * Clock runs (the /clock page over the shared stream): ticks on the one `clock`
 * channel while a run lives and none after; `end` names the run; a resume goes
 * on with the run or says it ended, for its owner only; starts are capped per
 * owner, per address and per process, so a thousand starts do not leave a
 * thousand runs; and over HTTP: JSON errors, the app-owned channel.
 *
 * @module
 */
import assert from "node:assert/strict";
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import { MemoryStore } from "../../lib/app/store/memory.ts";
import { ClockRuns } from "../../lib/app/clock/runs.ts";
import {
  CLOCK_CHANNEL,
  type ClockEnd,
  type ClockRun,
} from "../../lib/app/clock/types.ts";
import type { HeraldEvent } from "../../lib/realtime/types.ts";
import { startApp } from "../_support/app.ts";
import { waitFor } from "../_support/wait.ts";

const alice = { owner: "anon-alice", address: "10.0.0.1" };

async function setup(opts: ConstructorParameters<typeof ClockRuns>[1] = {}) {
  const broker = new MemoryBroker();
  const store = new MemoryStore();
  const runs = new ClockRuns({ broker, store }, opts);
  const events: HeraldEvent[] = [];
  const unsubscribe = await broker.subscribe(
    CLOCK_CHANNEL,
    (e) => events.push(e),
  );
  return {
    broker,
    store,
    runs,
    events,
    [Symbol.asyncDispose]: async () => {
      runs.close();
      await unsubscribe();
      await broker.close();
      await store.close();
    },
  };
}

Deno.test("a run ticks on the clock channel, then ends by name, then nothing ticks", async () => {
  await using t = await setup({ tickMs: 50 });
  const run = await t.runs.start(alice, "1");
  assert.equal(run.ended, false);
  assert.match(run.run, /^[A-Za-z0-9_-]{22}$/);
  await waitFor(
    () => t.events.some((e) => e.event === "end"),
    "the run's end",
  );
  const ticks = t.events.filter((e) => e.event === "tick");
  assert.ok(ticks.length >= 2, `${ticks.length} ticks`);
  const end = t.events.find((e) => e.event === "end")!;
  assert.equal((end.data as ClockEnd).run, run.run);
  assert.ok((end.data as ClockEnd).time >= run.endsAt);
  assert.equal(t.runs.live, 0);
  const after = t.events.length;
  await new Promise((r) => setTimeout(r, 200)); // four tick intervals
  assert.equal(t.events.length, after, "no tick without a run");
});

Deno.test("a resume goes on with the run, or says it ended; never someone else's", async () => {
  await using t = await setup();
  const run = await t.runs.start(alice, "60");
  const again = await t.runs.resume(alice, run.run);
  assert.deepEqual([again.run, again.endsAt, again.ended], [
    run.run,
    run.endsAt,
    false,
  ]);
  assert.equal(t.runs.live, 1, "resumed here, not twice");

  for (
    const [who, id] of [
      [{ owner: "anon-mallory", address: alice.address }, run.run],
      [alice, "no-such-run-at-all-xxxx"],
      [alice, "../../etc"],
    ] as const
  ) {
    await assert.rejects(
      () => t.runs.resume(who, id),
      (err: { status?: number; code?: string }) =>
        err.status === 404 && err.code === "unknown_run",
    );
  }

  // Another process (a restart) takes it over from the store.
  const other = new ClockRuns({ broker: t.broker, store: t.store });
  try {
    assert.equal((await other.resume(alice, run.run)).ended, false);
    assert.equal(other.live, 1);
  } finally {
    other.close();
  }
  // After its end, a resume hears "ended" and starts nothing.
  let now = Date.now();
  const later = new ClockRuns({ broker: t.broker, store: t.store }, {
    now: () => now,
  });
  try {
    now = run.endsAt + 1;
    assert.equal((await later.resume(alice, run.run)).ended, true);
    assert.equal(later.live, 0);
  } finally {
    later.close();
  }
});

Deno.test("a thousand starts leave at most the caps' runs", async () => {
  await using t = await setup({
    maxPerOwner: 3,
    maxPerAddress: 5,
    maxRuns: 7,
  });
  const tryStart = (owner: string, address: string) =>
    t.runs.start({ owner, address }, "3600").then(
      (r: ClockRun) => r,
      (err: { status?: number; code?: string }) => {
        assert.equal(err.status, 429);
        assert.equal(err.code, "too_many_clocks");
        return null;
      },
    );
  const one = await Promise.all(
    Array.from({ length: 1000 }, () => tryStart("anon-a", "10.0.0.1")),
  );
  assert.equal(one.filter(Boolean).length, 3, "per owner");
  const sessions = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => tryStart(`anon-${i}`, "10.0.0.1")),
  );
  assert.equal(sessions.filter(Boolean).length, 2, "per address (5 in all)");
  const addresses = await Promise.all(
    Array.from({ length: 1000 }, (_, i) => tryStart(`u${i}`, `10.1.${i}.1`)),
  );
  assert.equal(addresses.filter(Boolean).length, 2, "per process (7 in all)");
  assert.equal(t.runs.live, 7);
  await assert.rejects(() => t.runs.start(alice, "0"), /duration/);
});

Deno.test("over HTTP: a run starts and resumes as JSON, bad input is a JSON error, and the API cannot write the clock channel", async () => {
  await using app = await startApp({ env: { HERALD_BROKER: "memory" } });
  const post = (path: string, body?: unknown, cookie?: string) =>
    fetch(`${app.url}${path}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(cookie ? { cookie } : {}),
      },
      body: JSON.stringify(body ?? {}),
    });
  // A session, as the page has.
  const page = await fetch(`${app.url}/clock`);
  await page.body?.cancel();
  const cookie = page.headers.get("set-cookie")!.split(";")[0];

  const started = await post("/clock/runs", { duration: 30 }, cookie);
  assert.equal(started.status, 201);
  const run: ClockRun = await started.json();
  assert.ok(run.endsAt - run.now <= 30_000 && run.endsAt - run.now > 20_000);

  const resumed = await post(`/clock/runs/${run.run}`, {}, cookie);
  assert.equal(resumed.status, 200);
  assert.equal((await resumed.json()).endsAt, run.endsAt);
  const stranger = await post(`/clock/runs/${run.run}`, {});
  assert.equal(stranger.status, 404);
  assert.equal((await stranger.json()).error.code, "unknown_run");

  for (const body of [{ duration: 0 }, { duration: "x" }, { duration: 1e9 }]) {
    const bad = await post("/clock/runs", body, cookie);
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_duration");
  }
  const notJson = await fetch(`${app.url}/clock/runs`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: "{",
  });
  assert.equal(notJson.status, 400);
  assert.equal((await notJson.json()).error.code, "invalid_json");

  const forged = await fetch(`${app.url}/api/channels/clock/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ event: "end", data: { run: run.run } }),
  });
  assert.equal(forged.status, 403);
  assert.equal((await forged.json()).error.code, "app_owned_channel");
});

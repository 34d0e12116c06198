/**
 * The flight board: the pure simulation step, the board's compare-and-set
 * updates and pause, and the lease that lets exactly one simulator run
 * (two simulators on one Deno KV file through two store handles).
 */
import assert from "node:assert/strict";
import { createBroker } from "../../lib/realtime/brokers/create.ts";
import type { Broker } from "../../lib/realtime/types.ts";
import { type AppStore, createStore } from "../../lib/app/store/mod.ts";
import {
  APPROACH_MS,
  seedBoard,
  step,
  STEP_MS,
  TARGET_FLIGHTS,
} from "../../lib/app/flights/simulate.ts";
import {
  BOARD_KEY,
  BoardPaused,
  FlightBoard,
} from "../../lib/app/flights/board.ts";
import { FlightSimulator } from "../../lib/app/flights/simulator.ts";
import { flightsConfigFromEnv } from "../../lib/app/flights/runtime.ts";
import {
  type Board,
  expectedArrival,
  FLIGHTS_CHANNEL,
} from "../../lib/app/flights/types.ts";

/** A repeatable random sequence. */
function seeded(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test("a step changes exactly one flight and names it in its event", () => {
  const random = seeded(7);
  let board: Board = seedBoard(Date.UTC(2026, 0, 1, 12), random);
  assert.equal(board.flights.length, TARGET_FLIGHTS);
  assert.equal(board.seq, 0);
  const seen = new Set<string>();
  for (let i = 1; i <= 200; i++) {
    const before = board;
    const { board: after, event } = step(before, random);
    assert.equal(after.seq, i);
    assert.equal(event.data.seq, i);
    assert.equal(event.data.clock, after.clock);
    seen.add(event.event);
    if (event.event === "flightRemoval") {
      const gone = before.flights.find((f) => f.id === event.data.id)!;
      assert(["landed", "cancelled"].includes(gone.state), gone.state);
      assert.equal(after.flights.length, before.flights.length - 1);
    } else {
      const { flight } = event.data;
      seen.add(flight.state);
      assert.deepEqual(after.flights.find((f) => f.id === flight.id), flight);
      const old = before.flights.find((f) => f.id === flight.id);
      if (old) {
        const allowed: Record<string, string[]> = {
          scheduled: ["delayed", "approaching", "cancelled"],
          delayed: ["delayed", "approaching", "cancelled"],
          approaching: ["landed"],
        };
        assert(
          allowed[old.state]?.includes(flight.state),
          `${old.state}→${flight.state}`,
        );
      } else {
        assert.equal(flight.state, "scheduled");
        assert.equal(before.flights.length, TARGET_FLIGHTS - 1);
      }
    }
    const arrivals = after.flights.map((f) => f.arrival);
    assert.deepEqual(arrivals, [...arrivals].sort((a, b) => a - b));
    board = after;
  }
  assert.deepEqual(
    [...seen].sort(),
    [
      "approaching",
      "cancelled",
      "delayed",
      "flightRemoval",
      "flightStateUpdate",
      "landed",
      "scheduled",
    ],
  );
});

Deno.test("the board's clock allows every state it shows: never landed before the expected arrival", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const random = seeded(seed);
    let board: Board = seedBoard(Date.now(), random);
    for (let i = 0; i <= 300; i++) {
      if (i > 0) {
        const before = board.clock;
        board = step(board, random).board;
        assert(board.clock >= before + STEP_MS, "the clock moves on");
      }
      for (const f of board.flights) {
        const left = expectedArrival(f) - board.clock;
        const where = `seed ${seed}, step ${i}, ${f.id} ${f.state}`;
        assert(f.updatedAt <= board.clock, where);
        if (f.state === "landed") {
          assert(left <= 0, `${where}: landed ${-left / 60_000} min early`);
          assert(f.updatedAt >= expectedArrival(f), where);
        }
        if (f.state === "approaching") {
          // One change per step: a landing due with another waits a minute or two.
          assert(left <= APPROACH_MS, `${where}: ${left}`);
        }
        if (f.state === "scheduled" || f.state === "delayed") {
          assert(left > 0, `${where}: still ${f.state} after its time`);
        }
        if (f.state === "delayed") assert(f.delayMin > 0, where);
      }
    }
  }
});

async function withKv(
  fn: (a: AppStore, b: AppStore, broker: Broker) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const a = await createStore({ kind: "kv", path: `${dir}/app.kv` });
  const b = await createStore({ kind: "kv", path: `${dir}/app.kv` });
  const broker = await createBroker({ broker: "memory" });
  try {
    await fn(a, b, broker);
  } finally {
    await a.close();
    await b.close();
    await broker.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("concurrent changes from two processes never overwrite each other", async () => {
  await withKv(async (a, b, broker) => {
    const one = new FlightBoard(a, broker, seeded(1));
    const two = new FlightBoard(b, broker, seeded(2));
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).advance()),
    );
    const events = await broker.history(FLIGHTS_CHANNEL);
    const seqs = events.map((e) => (e.data as { seq: number }).seq).sort((
      x,
      y,
    ) => x - y);
    assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => i + 1));
    assert.equal((await one.get()).seq, 20);
  });
});

Deno.test("pause stops changes and tells every page; resume lets them go on", async () => {
  await withKv(async (a, _b, broker) => {
    const board = new FlightBoard(a, broker, seeded(3));
    await board.advance();
    const paused = await board.setPaused(true);
    assert.equal(paused.paused, true);
    assert.equal(await board.advance(), null);
    await assert.rejects(board.stepOrRefuse(), BoardPaused);
    await board.setPaused(true); // already paused: no second event
    assert.equal((await board.get()).seq, paused.seq);
    await board.setPaused(false);
    assert(await board.advance());
    const names = (await broker.history(FLIGHTS_CHANNEL)).map((e) =>
      e.event === "flightsPaused"
        ? `paused=${(e.data as { paused: boolean }).paused}`
        : e.event
    );
    assert.equal(names.length, 4);
    assert.deepEqual(names.slice(1, 3), ["paused=true", "paused=false"]);
  });
});

Deno.test("of two simulators on one store exactly one runs; the other takes over when it stops", async () => {
  await withKv(async (a, b, broker) => {
    // The lease outlasts a stall of this loaded process (at 300 ms one handed
    // it over mid-test); the hand-over below is a release, not an expiry.
    const opts = { tickMs: 30, leaseMs: 3000 };
    const first = new FlightSimulator(new FlightBoard(a, broker), {
      ...opts,
      processId: "proc-1",
    });
    const second = new FlightSimulator(new FlightBoard(b, broker), {
      ...opts,
      processId: "proc-2",
    });
    first.start();
    second.start();
    try {
      await waitFor("a leader", () => first.leader || second.leader);
      await waitFor("some ticks", async () => (await first.status()).seq >= 5);
      const [s1, s2] = [await first.status(), await second.status()];
      assert.equal([s1.leader, s2.leader].filter(Boolean).length, 1);
      const leader = s1.leader ? first : second;
      const other = leader === first ? second : first;
      assert.equal(s1.leaseHolder, leader.processId);
      assert.equal(s2.leaseHolder, leader.processId);
      assert.equal((await other.status()).ticks, 0);

      // Paused: the leader keeps ticking but the board does not change.
      await leader.board.setPaused(true);
      const seq = (await leader.status()).seq;
      const ticks = (await leader.status()).ticks;
      await waitFor(
        "paused ticks",
        async () => (await leader.status()).ticks >= ticks + 3,
      );
      assert.equal((await other.status()).seq, seq);
      await leader.board.setPaused(false);

      // A clean stop hands the lease over.
      await leader.stop();
      await waitFor("take-over", () => other.leader);
      const before = (await other.status()).seq;
      await waitFor(
        "the new leader ticks",
        async () => (await other.status()).seq > before,
      );
      assert.equal((await other.status()).leaseHolder, other.processId);
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});

Deno.test("flights configuration from the environment", () => {
  assert.deepEqual(flightsConfigFromEnv({}), {
    simulator: true,
    tickMs: 4000,
    leaseMs: 10_000,
    stepEnabled: false,
  });
  const c = flightsConfigFromEnv({
    HERALD_FLIGHTS_SIMULATOR: "off",
    HERALD_FLIGHTS_TICK_MS: "250",
    HERALD_FLIGHTS_LEASE_MS: "1500",
    HERALD_FLIGHTS_STEP: "on",
  });
  assert.deepEqual(c, {
    simulator: false,
    tickMs: 250,
    leaseMs: 1500,
    stepEnabled: true,
  });
  assert.throws(
    () => flightsConfigFromEnv({ HERALD_FLIGHTS_TICK_MS: "fast" }),
    /TICK_MS/,
  );
});

Deno.test("no two flights on the board show the same flight number", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = seeded(seed);
    let board: Board = seedBoard(Date.now(), random);
    for (let i = 0; i < 300; i++) {
      board = step(board, random).board;
      const numbers = board.flights.map((f) => f.flight);
      assert.equal(
        new Set(numbers).size,
        numbers.length,
        `seed ${seed}, step ${i}: ${numbers.join(", ")}`,
      );
    }
  }
});

Deno.test("a board stored before boards had a clock starts afresh, its seq going on", async () => {
  await withKv(async (a, _b, broker) => {
    await a.setIfAbsent(BOARD_KEY, {
      seq: 41,
      paused: true,
      added: 9,
      flights: [{
        id: "HR100-1",
        flight: "HR 100",
        origin: "Lisbon",
        arrival: Date.now() + 3_600_000,
        delayMin: 0,
        state: "departed",
        updatedAt: Date.now(),
      }],
    });
    const board = await new FlightBoard(a, broker, seeded(5)).get();
    assert.equal(board.seq, 42);
    assert.equal(board.paused, true);
    assert.equal(typeof board.clock, "number");
    assert.equal(board.flights.length, TARGET_FLIGHTS);
    assert(board.flights.every((f) => f.state !== ("departed" as string)));
  });
});

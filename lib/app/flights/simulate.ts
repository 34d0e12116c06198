/**
 * One step of the flight simulation as a pure function (randomness injected): the new
 * board and the event that tells the pages. The board keeps its own clock, which each
 * step moves on at least a minute (further when nothing happens sooner), and a flight
 * changes only when that clock allows it: approaching within 15 minutes of its
 * expected arrival (scheduled plus delay), landed at or after it, gone 10 minutes
 * after landing or being cancelled.
 *
 * @module
 */
import { type Board, expectedArrival, type Flight } from "./types.ts";

export const TARGET_FLIGHTS = 8;
/** How far the board's clock moves at least per step. */
export const STEP_MS = 60_000;
/** How long before its expected arrival a flight is approaching. */
export const APPROACH_MS = 15 * 60_000;
/** How long a landed or cancelled flight stays on the board. */
export const SHOWN_AFTER_MS = 10 * 60_000;
/** How often a step is news (a delay or a cancellation) rather than the next due change. */
const NEWS = 0.3;

const ORIGINS = [
  "Lisbon",
  "Reykjavík",
  "Nairobi",
  "Osaka",
  "Montréal",
  "São Paulo",
  "Tallinn",
  "Auckland",
  "Marrakesh",
  "Vancouver",
  "Seville",
  "Hanoi",
];

export type Random = () => number;

export type StepEvent =
  | {
    event: "flightStateUpdate";
    data: { seq: number; clock: number; flight: Flight };
  }
  | {
    event: "flightRemoval";
    data: { seq: number; clock: number; id: string };
  };

function pick<T>(items: readonly T[], random: Random): T {
  return items[Math.min(items.length - 1, Math.floor(random() * items.length))];
}

/** A flight number from 100 to 999 that no flight on the board shows. */
function freeNumber(board: Board, random: Random): number {
  const shown = new Set(board.flights.map((f) => f.flight));
  const start = Math.floor(random() * 900);
  for (let i = 0; i < 900; i++) {
    const number = 100 + (start + i) % 900;
    if (!shown.has(`HR ${number}`)) return number;
  }
  return 100 + start; // a board of 900 flights: repeats cannot be avoided
}

const toMinute = (ms: number) => Math.ceil(ms / 60_000) * 60_000;

function newFlight(board: Board, now: number, random: Random): Flight {
  const number = freeNumber(board, random);
  const n = board.added + 1;
  return {
    id: `HR${number}-${n}`,
    flight: `HR ${number}`,
    origin: pick(ORIGINS, random),
    // On the minute, 20 to 90 minutes ahead: past the approach window.
    arrival: toMinute(now + (20 + random() * 70) * 60_000),
    delayMin: 0,
    state: "scheduled",
    updatedAt: now,
  };
}

/** The change a flight's times call for next, and the board time it is due. */
function nextChange(
  f: Flight,
): { at: number; state: Flight["state"] | null } {
  switch (f.state) {
    case "scheduled":
    case "delayed":
      return { at: expectedArrival(f) - APPROACH_MS, state: "approaching" };
    case "approaching":
      return { at: expectedArrival(f), state: "landed" };
    case "landed":
    case "cancelled":
      return { at: f.updatedAt + SHOWN_AFTER_MS, state: null }; // leaves the board
  }
}

const byArrival = (a: Flight, b: Flight) =>
  a.arrival - b.arrival || (a.id < b.id ? -1 : 1);

/** A delay or a cancellation for a flight still outside its approach window, if any. */
function news(board: Board, now: number, random: Random): Flight | null {
  const open = board.flights.filter((f) =>
    (f.state === "scheduled" || f.state === "delayed") &&
    expectedArrival(f) - APPROACH_MS > now
  );
  if (open.length === 0) return null;
  const current = pick(open, random);
  if (random() < 0.1) return { ...current, state: "cancelled", updatedAt: now };
  return {
    ...current,
    state: "delayed",
    delayMin: current.delayMin + 10 + Math.floor(random() * 4) * 10,
    updatedAt: now,
  };
}

/** The board after one change, and the event that announces it. */
export function step(
  board: Board,
  random: Random = Math.random,
): { board: Board; event: StepEvent } {
  const seq = board.seq + 1;
  let now = board.clock + STEP_MS;
  const changed = (flight: Flight) => ({
    board: {
      ...board,
      seq,
      clock: now,
      flights: board.flights.map((f) => f.id === flight.id ? flight : f)
        .sort(byArrival),
    },
    event: {
      event: "flightStateUpdate",
      data: { seq, clock: now, flight },
    } as StepEvent,
  });

  if (board.flights.length < TARGET_FLIGHTS) {
    const flight = newFlight(board, now, random);
    return {
      board: {
        ...board,
        seq,
        clock: now,
        added: board.added + 1,
        flights: [...board.flights, flight].sort(byArrival),
      },
      event: { event: "flightStateUpdate", data: { seq, clock: now, flight } },
    };
  }
  const due = board.flights
    .map((flight) => ({ flight, ...nextChange(flight) }))
    .sort((a, b) => a.at - b.at)[0];
  if (due.at > now) {
    const told = random() < NEWS ? news(board, now, random) : null;
    if (told) return changed(told);
    now = due.at; // nothing happens sooner: the clock moves on to it
  }
  if (due.state === null) {
    return {
      board: {
        ...board,
        seq,
        clock: now,
        flights: board.flights.filter((f) => f.id !== due.flight.id),
      },
      event: {
        event: "flightRemoval",
        data: { seq, clock: now, id: due.flight.id },
      },
    };
  }
  return changed({ ...due.flight, state: due.state, updatedAt: now });
}

/** A board to start from at `now`: a full set of flights in states their times allow. */
export function seedBoard(now: number, random: Random = Math.random): Board {
  let board: Board = {
    seq: 0,
    paused: false,
    clock: now - TARGET_FLIGHTS * STEP_MS,
    flights: [],
    added: 0,
  };
  while (board.flights.length < TARGET_FLIGHTS) {
    board = step(board, random).board;
  }
  const minute = 60_000;
  const [landed, approaching, delayed] = board.flights;
  const seeded: Record<string, Partial<Flight>> = {
    [landed.id]: {
      state: "landed",
      arrival: toMinute(now - 6 * minute),
      updatedAt: now - 4 * minute,
    },
    [approaching.id]: {
      state: "approaching",
      arrival: toMinute(now + 9 * minute),
    },
    [delayed.id]: { state: "delayed", delayMin: 25 },
  };
  return {
    ...board,
    seq: 0,
    clock: now,
    flights: board.flights.map((f) => ({ ...f, ...seeded[f.id] })).sort(
      byArrival,
    ),
  };
}

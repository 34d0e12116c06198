/**
 * One step of the flight simulation as a pure function (randomness injected): the new
 * board and the event that tells the pages.
 *
 * @module
 */
import type { Board, Flight, FlightState } from "./types.ts";

export const TARGET_FLIGHTS = 8;

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
  | { event: "flightStateUpdate"; data: { seq: number; flight: Flight } }
  | { event: "flightRemoval"; data: { seq: number; id: string } };

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

function newFlight(board: Board, now: number, random: Random): Flight {
  const number = freeNumber(board, random);
  const n = board.added + 1;
  return {
    id: `HR${number}-${n}`,
    flight: `HR ${number}`,
    origin: pick(ORIGINS, random),
    // Arrivals on the minute, 20 minutes to 3 hours ahead.
    arrival: Math.floor((now + (20 + random() * 160) * 60_000) / 60_000) *
      60_000,
    delayMin: 0,
    state: "scheduled",
    updatedAt: now,
  };
}

function nextState(flight: Flight, random: Random): FlightState | null {
  const r = random();
  switch (flight.state) {
    case "scheduled":
      return r < 0.6 ? "boarding" : r < 0.9 ? "delayed" : "cancelled";
    case "delayed":
      return r < 0.6 ? "boarding" : r < 0.8 ? "delayed" : "cancelled";
    case "boarding":
      return "departed";
    case "departed":
      return "landed";
    case "landed":
    case "cancelled":
      return null; // leaves the board
  }
}

const byArrival = (a: Flight, b: Flight) =>
  a.arrival - b.arrival || (a.id < b.id ? -1 : 1);

/** The board after one change, and the event that announces it. */
export function step(
  board: Board,
  now: number,
  random: Random = Math.random,
): { board: Board; event: StepEvent } {
  const seq = board.seq + 1;
  if (board.flights.length < TARGET_FLIGHTS) {
    const flight = newFlight(board, now, random);
    return {
      board: {
        ...board,
        seq,
        added: board.added + 1,
        flights: [...board.flights, flight].sort(byArrival),
      },
      event: { event: "flightStateUpdate", data: { seq, flight } },
    };
  }
  const current = pick(board.flights, random);
  const state = nextState(current, random);
  if (state === null) {
    return {
      board: {
        ...board,
        seq,
        flights: board.flights.filter((f) => f.id !== current.id),
      },
      event: { event: "flightRemoval", data: { seq, id: current.id } },
    };
  }
  const flight: Flight = {
    ...current,
    state,
    delayMin: state === "delayed"
      ? current.delayMin + 15 + Math.floor(random() * 4) * 10
      : current.delayMin,
    updatedAt: now,
  };
  return {
    board: {
      ...board,
      seq,
      flights: board.flights.map((f) => f.id === flight.id ? flight : f),
    },
    event: { event: "flightStateUpdate", data: { seq, flight } },
  };
}

/** A board to start from: a full set of flights in assorted states. */
export function seedBoard(now: number, random: Random = Math.random): Board {
  const states: FlightState[] = [
    "landed",
    "departed",
    "boarding",
    "delayed",
    "scheduled",
    "scheduled",
    "scheduled",
    "scheduled",
  ];
  let board: Board = { seq: 0, paused: false, flights: [], added: 0 };
  for (const state of states) {
    const { board: next } = step(board, now, random);
    const added = next.flights.find((f) =>
      !board.flights.some((g) => g.id === f.id)
    )!;
    added.state = state;
    if (state === "delayed") added.delayMin = 25;
    board = next;
  }
  return { ...board, seq: 0 };
}

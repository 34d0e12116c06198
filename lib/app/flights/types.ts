/**
 * The flight board's data and the events of the `flights` channel, shared by the
 * server and the islands.
 *
 * @module
 */

export const FLIGHTS_CHANNEL = "flights";
export const FLIGHT_EVENTS = [
  "flightStateUpdate",
  "flightRemoval",
  "flightsPaused",
] as const;

/** An arrival's states, in the order a flight goes through them (lib/app/flights/simulate.ts). */
export const FLIGHT_STATES = [
  "scheduled",
  "delayed",
  "approaching",
  "landed",
  "cancelled",
] as const;
export type FlightState = typeof FLIGHT_STATES[number];

export interface Flight {
  /** Stable id, e.g. "HR204-1". */
  id: string;
  /** Flight number as shown, e.g. "HR 204". */
  flight: string;
  origin: string;
  /** Scheduled arrival, ms since the epoch. */
  arrival: number;
  /** Minutes of delay announced so far (0 when on time). */
  delayMin: number;
  state: FlightState;
  /** The board time of the flight's last change. */
  updatedAt: number;
}

/** When a flight is expected (scheduled arrival plus its delay), ms since the epoch. */
export const expectedArrival = (f: Flight): number =>
  f.arrival + f.delayMin * 60_000;

export interface Board {
  seq: number;
  paused: boolean;
  /** The board's own time, ms since the epoch: each change moves it on. */
  clock: number;
  /** Sorted by arrival. */
  flights: Flight[];
  /** Counter for new flights' ids. */
  added: number;
}

export interface FlightUpdate {
  seq: number;
  /** The board's time after the change (absent from older events). */
  clock?: number;
  flight: Flight;
}

export interface FlightRemoval {
  seq: number;
  /** The board's time after the change (absent from older events). */
  clock?: number;
  id: string;
}

export interface PausedChange {
  seq: number;
  paused: boolean;
}

/** What GET /flights/status answers: which process runs the simulator. */
export interface SimulatorStatus {
  /** This process's id. */
  processId: string;
  /** Whether this process started a simulator loop (false when turned off). */
  enabled: boolean;
  /** Whether this process holds the lease, i.e. runs the simulation. */
  leader: boolean;
  /** The id of the process that holds the lease, or null. */
  leaseHolder: string | null;
  /** Ticks this process's loop ran while leader (paused ones included). */
  ticks: number;
  paused: boolean;
  seq: number;
}

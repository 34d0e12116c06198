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

export const FLIGHT_STATES = [
  "scheduled",
  "boarding",
  "departed",
  "landed",
  "delayed",
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
  updatedAt: number;
}

export interface Board {
  seq: number;
  paused: boolean;
  /** Sorted by arrival. */
  flights: Flight[];
  /** Counter for new flights' ids. */
  added: number;
}

export interface FlightUpdate {
  seq: number;
  flight: Flight;
}

export interface FlightRemoval {
  seq: number;
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

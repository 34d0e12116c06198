/**
 * The flight board of this process: the board over the app store and the
 * Herald broker, and the simulator, started with the app (lib/app/services.ts,
 * never at import) and stopped at shutdown, releasing its lease.
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `HERALD_FLIGHTS_SIMULATOR` | `off` runs no simulator in this process (the board still shows, pause still works) | on |
 * | `HERALD_FLIGHTS_TICK_MS` | how often the simulator changes the board | 4000 |
 * | `HERALD_FLIGHTS_LEASE_MS` | lease TTL: how soon another process takes over from a dead one | 10000 |
 * | `HERALD_FLIGHTS_STEP` | `on` enables `POST /flights/step` (one change on demand; tests, demos) | off |
 *
 * @example
 * ```ts
 * const flights = startFlights(flightsConfigFromEnv(), store, broker);
 * const current = await flights.board.get();
 * await stopFlights(flights);
 * ```
 * @module
 */
import type { Broker } from "../../realtime/types.ts";
import type { AppStore } from "../store/types.ts";
import { FlightBoard } from "./board.ts";
import { FlightSimulator } from "./simulator.ts";
import { envFlag, envInt, type EnvSource } from "../../config/env.ts";

export interface FlightsConfig {
  simulator: boolean;
  tickMs: number;
  leaseMs: number;
  stepEnabled: boolean;
}

export function flightsConfigFromEnv(
  env: EnvSource = Deno.env,
): FlightsConfig {
  const ms = { min: 10 };
  return {
    simulator: envFlag(env, "HERALD_FLIGHTS_SIMULATOR", true),
    tickMs: envInt(env, "HERALD_FLIGHTS_TICK_MS", 4000, ms),
    leaseMs: envInt(env, "HERALD_FLIGHTS_LEASE_MS", 10_000, ms),
    stepEnabled: envFlag(env, "HERALD_FLIGHTS_STEP", false),
  };
}

export interface Flights {
  config: FlightsConfig;
  board: FlightBoard;
  /** Null when `HERALD_FLIGHTS_SIMULATOR=off`. */
  simulator: FlightSimulator | null;
}

/** The board over `store` and `broker`, and its simulator, started now (unless configured off). */
export function startFlights(
  config: FlightsConfig,
  store: AppStore,
  broker: Broker,
): Flights {
  const board = new FlightBoard(store, broker);
  let simulator: FlightSimulator | null = null;
  if (config.simulator) {
    simulator = new FlightSimulator(board, {
      tickMs: config.tickMs,
      leaseMs: config.leaseMs,
      onError: (err) => console.error("flights simulator:", err),
      onLeaderChange: (leader) =>
        console.log(
          leader
            ? "flights: this process now runs the simulation (lease taken)"
            : "flights: another process runs the simulation (lease lost)",
        ),
    });
    simulator.start();
    console.log(`flights: simulator ${simulator.processId} started`);
  }
  return { config, board, simulator };
}

/** Stops the simulator (releasing its lease), if one runs. */
export async function stopFlights(flights: Flights): Promise<void> {
  await flights.simulator?.stop();
}

/**
 * The flight board of this process and its simulator, started with the app and stopped
 * at shutdown (releasing its lease); settings in the README's Configuration table.
 *
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

/**
 * The flight board of this process: the board over the app store and the
 * Herald broker, and the simulator, started lazily by the first request to
 * a /flights route (never at import, so importing the routes starts nothing)
 * and stopped on SIGINT/SIGTERM, releasing its lease.
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
 * const { board, simulator } = await getFlights();
 * const current = await board.get();
 * ```
 * @module
 */
import { getHerald } from "../../realtime/herald.ts";
import { getAppStore } from "../store/mod.ts";
import { FlightBoard } from "./board.ts";
import { FlightSimulator } from "./simulator.ts";
import { onShutdown } from "../../process/shutdown.ts";
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

let instance: Promise<Flights> | null = null;
let releaseShutdown: (() => void) | null = null;

/** This process's board and simulator (starting the simulator on first call). */
export function getFlights(): Promise<Flights> {
  instance ??= (async () => {
    const config = flightsConfigFromEnv();
    const [{ broker }, store] = await Promise.all([getHerald(), getAppStore()]);
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
      releaseShutdown = onShutdown(stopFlights);
      console.log(`flights: simulator ${simulator.processId} started`);
    }
    return { config, board, simulator };
  })();
  instance.catch(() => (instance = null));
  return instance;
}

/** Stops this process's simulator (releasing its lease), if one runs. */
export async function stopFlights(): Promise<void> {
  const current = instance;
  instance = null;
  releaseShutdown?.();
  releaseShutdown = null;
  const flights = await current?.catch(() => null);
  await flights?.simulator?.stop();
}

/**
 * Checks the shape of what the board shows, so a bad `flights` event or stored board
 * is skipped with a log line instead of breaking every open board.
 *
 * @module
 */
import type { HeraldEvent } from "../../realtime/types.ts";
import { skipped, validTime } from "../render/safe.ts";
import {
  type Board,
  type Flight,
  FLIGHT_STATES,
  type FlightRemoval,
  type FlightUpdate,
  type PausedChange,
} from "./types.ts";

/** A checked event of the `flights` channel. */
export type FlightEvent =
  | { event: "flightStateUpdate"; data: FlightUpdate }
  | { event: "flightRemoval"; data: FlightRemoval }
  | { event: "flightsPaused"; data: PausedChange };

const isText = (v: unknown, max = 64): v is string =>
  typeof v === "string" && v.length > 0 && v.length <= max;

const isSeq = (v: unknown): v is number =>
  typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** The flight when `value` is one as the simulator writes it, else null. */
export function toFlight(value: unknown): Flight | null {
  const f = (value ?? {}) as Record<string, unknown>;
  if (
    !isText(f.id) || !isText(f.flight, 16) || !isText(f.origin) ||
    !validTime(f.arrival) || !validTime(f.updatedAt) ||
    typeof f.delayMin !== "number" || !Number.isFinite(f.delayMin) ||
    !(FLIGHT_STATES as readonly unknown[]).includes(f.state)
  ) {
    return null;
  }
  return {
    id: f.id,
    flight: f.flight,
    origin: f.origin,
    arrival: f.arrival,
    delayMin: f.delayMin,
    state: f.state as Flight["state"],
    updatedAt: f.updatedAt,
  };
}

/** A `flights` event, checked; null (with a log line) when malformed. */
export function toFlightEvent(e: HeraldEvent): FlightEvent | null {
  const d = (e.data ?? {}) as Record<string, unknown>;
  if (!isSeq(d.seq)) return skipped("flights", e.id, "no valid seq");
  const clock = validTime(d.clock) ? d.clock : undefined;
  switch (e.event) {
    case "flightStateUpdate": {
      const flight = toFlight(d.flight);
      if (!flight) return skipped("flights", e.id, "not a valid flight");
      return { event: e.event, data: { seq: d.seq, clock, flight } };
    }
    case "flightRemoval":
      if (!isText(d.id)) return skipped("flights", e.id, "no flight id");
      return { event: e.event, data: { seq: d.seq, clock, id: d.id } };
    case "flightsPaused":
      if (typeof d.paused !== "boolean") {
        return skipped("flights", e.id, "paused is not a boolean");
      }
      return { event: e.event, data: { seq: d.seq, paused: d.paused } };
  }
  return skipped("flights", e.id, `unknown event ${JSON.stringify(e.event)}`);
}

/** A stored board with only its valid flights (a malformed board shows empty). */
export function checkedBoard(value: unknown): Board {
  const b = (value ?? {}) as Record<string, unknown>;
  const list = Array.isArray(b.flights) ? b.flights : [];
  const flights = list.map(toFlight).filter((f): f is Flight => f !== null);
  if (flights.length !== list.length || !isSeq(b.seq)) {
    skipped("flights", "board", "malformed flights left out");
  }
  return {
    seq: isSeq(b.seq) ? b.seq : 0,
    paused: b.paused === true,
    clock: validTime(b.clock) ? b.clock : Date.now(),
    flights,
    added: isSeq(b.added) ? b.added : 0,
  };
}

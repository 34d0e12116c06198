/**
 * The flight board's HTTP answers for the thin route files under routes/flights/.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import { answer } from "../chat/http.ts";
import { readFields, wantsJson } from "../../http/fields.ts";
import { BoardPaused } from "./board.ts";
import type { Flights } from "./runtime.ts";
import type { SimulatorStatus } from "./types.ts";
import { checkedBoard } from "./validate.ts";

const noStore = { "cache-control": "no-store" };

export function boardState({ board }: Flights): Promise<Response> {
  return answer(async () => {
    return Response.json(checkedBoard(await board.get()), {
      headers: noStore,
    });
  });
}

export function simulatorStatus(
  { simulator, board }: Flights,
): Promise<Response> {
  return answer(async () => {
    const status: SimulatorStatus = simulator ? await simulator.status() : {
      processId: "",
      enabled: false,
      leader: false,
      leaseHolder: null,
      ticks: 0,
      ...await board.get().then((b) => ({ paused: b.paused, seq: b.seq })),
    };
    return Response.json(status, { headers: noStore });
  });
}

function parsePaused(value: unknown): boolean {
  if (value === true || value === "true" || value === "on") return true;
  if (value === false || value === "false" || value === "off") return false;
  throw new HttpError(
    400,
    "invalid_paused",
    "paused must be true or false.",
  );
}

export function setPaused(
  { board }: Flights,
  req: Request,
): Promise<Response> {
  return answer(async () => {
    const json = wantsJson(req);
    const paused = parsePaused((await readFields(req)).paused);
    const state = await board.setPaused(paused);
    if (!json) {
      return new Response(null, {
        status: 303,
        headers: { location: "/flights" },
      });
    }
    return Response.json(state, { headers: noStore });
  });
}

export function stepBoard({ config, board }: Flights): Promise<Response> {
  return answer(async () => {
    if (!config.stepEnabled) {
      throw new HttpError(
        404,
        "not_found",
        "Manual steps are off (set HERALD_FLIGHTS_STEP=on).",
      );
    }
    try {
      return Response.json(await board.stepOrRefuse(), { status: 201 });
    } catch (err) {
      if (!(err instanceof BoardPaused)) throw err;
      throw new HttpError(
        409,
        "paused",
        "The flight board is paused; resume it first.",
      );
    }
  });
}

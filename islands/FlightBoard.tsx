/**
 * The arrivals table and the board's clock, live on the `flights` channel from the
 * render on (`since`); refetches the board after a gap or a skipped `seq`; rows of
 * fixed height, so an update never moves the page.
 *
 * @module
 */
import { useRef, useState } from "preact/hooks";
import { useEventStream } from "../lib/client/hook.ts";
import {
  type Board,
  expectedArrival,
  type Flight,
  FLIGHT_EVENTS,
  FLIGHTS_CHANNEL,
  type FlightState,
} from "../lib/app/flights/types.ts";
import { checkedBoard, toFlightEvent } from "../lib/app/flights/validate.ts";
import { Button } from "../components/Button.tsx";

const STATE_LOOK: Record<FlightState, { label: string; class: string }> = {
  scheduled: { label: "Scheduled", class: "bg-slate-100 text-slate-800" },
  delayed: { label: "Delayed", class: "bg-amber-100 text-amber-900" },
  approaching: { label: "Approaching", class: "bg-sky-100 text-sky-900" },
  landed: { label: "Landed", class: "bg-emerald-100 text-emerald-900" },
  cancelled: { label: "Cancelled", class: "bg-red-100 text-red-900" },
};

const clock = new Intl.DateTimeFormat("en-GB", {
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

const byArrival = (a: Flight, b: Flight) =>
  a.arrival - b.arrival || (a.id < b.id ? -1 : 1);

export interface FlightBoardProps {
  initial: Board;
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
}

export default function FlightBoard({ initial, since }: FlightBoardProps) {
  const [board, setBoard] = useState(initial);
  const [changed, setChanged] = useState<string | null>(null);
  const [announcement, setAnnouncement] = useState("");
  const [pending, setPending] = useState(false);
  /** Why the last pause or resume did not happen (shown beside the button). */
  const [pauseError, setPauseError] = useState<string | null>(null);
  const seq = useRef(initial.seq);

  const resync = async () => {
    const res = await fetch("/flights/state").catch(() => null);
    if (!res?.ok) return;
    const next = checkedBoard(await res.json().catch(() => null));
    if (next.seq >= seq.current) {
      seq.current = next.seq;
      setBoard(next);
    }
  };

  useEventStream({
    channels: [FLIGHTS_CHANNEL],
    events: [...FLIGHT_EVENTS],
    since,
    onEvent: (raw) => {
      const e = toFlightEvent(raw);
      if (!e) return;
      const data = e.data;
      if (data.seq <= seq.current) return;
      // Every change adds one to seq: a jump means one was never published.
      if (data.seq > seq.current + 1) resync();
      seq.current = data.seq;
      if (e.event === "flightStateUpdate") {
        const { flight } = e.data;
        setBoard((b) => ({
          ...b,
          seq: data.seq,
          clock: Math.max(b.clock, e.data.clock ?? b.clock),
          flights: [...b.flights.filter((f) => f.id !== flight.id), flight]
            .sort(byArrival),
        }));
        setChanged(flight.id);
        setAnnouncement(
          `${flight.flight} from ${flight.origin}: ${
            STATE_LOOK[flight.state].label
          }`,
        );
      } else if (e.event === "flightRemoval") {
        const { id } = e.data;
        setBoard((b) => {
          const gone = b.flights.find((f) => f.id === id);
          if (gone) {
            setAnnouncement(`${gone.flight} from ${gone.origin} removed`);
          }
          return {
            ...b,
            seq: data.seq,
            clock: Math.max(b.clock, e.data.clock ?? b.clock),
            flights: b.flights.filter((f) => f.id !== id),
          };
        });
      } else if (e.event === "flightsPaused") {
        const { paused } = e.data;
        setBoard((b) => ({ ...b, seq: data.seq, paused }));
        setPauseError(null);
        setAnnouncement(paused ? "Updates paused" : "Updates resumed");
      }
    },
    onGap: resync,
  });

  const togglePause = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    setPending(true);
    try {
      const res = await fetch("/flights/pause", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ paused: !board.paused }),
      });
      const body = await res.json().catch(() => null);
      if (!res.ok) {
        setPauseError(
          body?.error?.message ?? "The board could not be changed. Try again.",
        );
        return;
      }
      setPauseError(null);
      const next = checkedBoard(body);
      if (next.seq >= seq.current) {
        seq.current = next.seq;
        setBoard(next);
      }
    } catch {
      setPauseError("The server could not be reached. Please try again.");
    } finally {
      setPending(false);
    }
  };

  return (
    <div
      id="flight-board"
      data-seq={board.seq}
      data-paused={String(board.paused)}
    >
      <form
        method="post"
        action="/flights/pause"
        onSubmit={togglePause}
        class="mb-3 flex flex-wrap items-center gap-3"
      >
        <input type="hidden" name="paused" value={String(!board.paused)} />
        <Button
          type="submit"
          id="flights-pause"
          variant="secondary"
          disabled={pending}
          class="w-40"
        >
          {board.paused ? "Resume updates" : "Pause updates"}
        </Button>
        <p id="flights-mode" class="text-sm text-slate-600">
          {board.paused
            ? "Paused for everyone: no changes until someone resumes."
            : "Updates arrive live."}
        </p>
        <p
          id="flights-error"
          aria-live="polite"
          class="text-sm text-red-700 empty:hidden"
        >
          {pauseError}
        </p>
      </form>
      <p role="status" class="sr-only">{announcement}</p>
      <p id="flights-clock" class="mb-2 text-sm text-slate-700">
        Board time{" "}
        <time
          dateTime={new Date(board.clock).toISOString()}
          data-clock={board.clock}
          class="font-semibold tabular-nums"
        >
          {clock.format(board.clock)}
        </time>{" "}
        UTC{" "}
        <span class="text-slate-600">(simulated, faster than real time)</span>
      </p>
      <div class="min-h-[27.5rem] rounded-lg border border-slate-200 bg-white">
        <table class="w-full table-fixed text-left text-sm">
          <caption class="sr-only">
            Arrivals: flight, origin, arrival time (UTC) and state
          </caption>
          <thead class="border-b border-slate-200 text-xs uppercase text-slate-500">
            <tr class="h-10">
              <th scope="col" class="w-[20%] px-2 sm:px-3">Flight</th>
              <th scope="col" class="w-[28%] px-2 sm:px-3">From</th>
              <th scope="col" class="w-[22%] px-2 sm:px-3">Arrival (UTC)</th>
              <th scope="col" class="px-2 sm:px-3">State</th>
            </tr>
          </thead>
          <tbody id="flight-rows">
            {board.flights.map((f) => (
              <tr
                key={f.id}
                data-flight-id={f.id}
                data-state={f.state}
                data-expected={expectedArrival(f)}
                class={`h-12 border-b border-slate-100 transition-colors duration-700 ${
                  changed === f.id ? "bg-amber-50" : ""
                }`}
              >
                <th scope="row" class="px-2 font-semibold tabular-nums sm:px-3">
                  {f.flight}
                </th>
                <td class="truncate px-2 sm:px-3" title={f.origin}>
                  {f.origin}
                </td>
                <td class="px-2 tabular-nums sm:px-3">
                  {clock.format(f.arrival)}
                  {f.delayMin > 0 && f.state !== "cancelled" && (
                    <span class="block text-xs text-amber-800">
                      +{f.delayMin} min
                    </span>
                  )}
                </td>
                <td class="px-2 sm:px-3">
                  <span
                    class={`inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ${
                      STATE_LOOK[f.state].class
                    }`}
                  >
                    {STATE_LOOK[f.state].label}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {board.flights.length === 0 && (
          <p class="p-4 text-slate-600">No flights on the board right now.</p>
        )}
      </div>
    </div>
  );
}

/** The page of a room that does not exist (or expired): says so and links back to the rooms. */
import { Head } from "$fresh/runtime.ts";
import { PageHeader } from "../PageHeader.tsx";

/** Long enough for any valid room name; a longer address is cut. */
const SHOWN_MAX = 60;

export function RoomNotFound({ room }: { room: string }) {
  const shown = [...room].length > SHOWN_MAX
    ? `${[...room].slice(0, SHOWN_MAX).join("")}…`
    : room;
  return (
    <>
      <Head>
        <title>No such room · Chat · Herald</title>
      </Head>
      <PageHeader title="No such room" />
      <p class="break-words text-slate-700" id="room-missing">
        There is no room named{" "}
        <strong>#{shown}</strong>. It may never have existed, or it expired
        while nobody was in it.
      </p>
      <p class="mt-4">
        <a
          href="/chat"
          class="text-sky-800 underline hover:text-sky-900 focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          ← All rooms
        </a>{" "}
        <span class="text-slate-600">(you can create it there)</span>
      </p>
    </>
  );
}

/**
 * The room list, live on `chat-rooms` from the render on (`since`), and the "create a
 * room" form (a plain post without JavaScript, JSON with an inline error with it).
 *
 * @module
 */
import { useState } from "preact/hooks";
import { useEventStream } from "../lib/client/hook.ts";
import { type Room, ROOMS_CHANNEL } from "../lib/app/chat/types.ts";
import { ROOM_NAME_MAX, toRoom } from "../lib/app/chat/lines.ts";
import { Button } from "../components/Button.tsx";
import { Field, FieldError, TextInput } from "../components/Field.tsx";

export interface ChatLobbyProps {
  initialRooms: Room[];
  /** The broker head read before `initialRooms` (lib/app/page/since.ts). */
  since?: string;
  /** The error of a no-JS post, with what was typed. */
  error?: { message: string; value: string };
}

export default function ChatLobby(
  { initialRooms, since, error }: ChatLobbyProps,
) {
  const [rooms, setRooms] = useState(initialRooms);
  const [problem, setProblem] = useState(error?.message ?? null);
  const [pending, setPending] = useState(false);

  useEventStream({
    channels: [ROOMS_CHANNEL],
    events: ["roomCreated"],
    since,
    onEvent: (e) => {
      const room = toRoom(e.data, e.id);
      if (!room) return;
      setRooms((list) =>
        list.some((r) => r.name === room.name)
          ? list
          : [...list, room].sort((a, b) => a.name < b.name ? -1 : 1)
      );
    },
    onGap: () => location.reload(),
  });

  const submit = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    const form = e.currentTarget as HTMLFormElement;
    const room = new FormData(form).get("room");
    setPending(true);
    try {
      const res = await fetch("/chat", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ room }),
      });
      const body = await res.json().catch(() => null);
      if (res.ok && body?.url) {
        location.assign(body.url);
        return;
      }
      setProblem(body?.error?.message ?? "The room could not be created.");
    } catch {
      setProblem("The server could not be reached. Please try again.");
    }
    setPending(false);
    (form.elements.namedItem("room") as HTMLInputElement | null)?.focus();
  };

  return (
    <div class="grid gap-6 md:grid-cols-[1fr_18rem]">
      <section aria-labelledby="rooms-heading" class="min-w-0">
        <h2 id="rooms-heading" class="mb-2 text-lg font-semibold">Rooms</h2>
        {rooms.length === 0
          ? (
            <p class="rounded-lg border border-dashed border-slate-300 bg-white p-4 text-slate-600">
              No rooms yet. Create the first one.
            </p>
          )
          : (
            <ul
              id="room-list"
              aria-live="polite"
              class="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white"
            >
              {rooms.map((r) => (
                <li key={r.name}>
                  <a
                    href={`/chat/${r.name}`}
                    data-room={r.name}
                    class="block break-words px-4 py-3 font-medium text-sky-800 hover:bg-sky-50 focus-visible:outline-2 focus-visible:-outline-offset-2 focus-visible:outline-sky-600"
                  >
                    #{r.name}
                    {r.createdBy && (
                      <span class="ml-2 text-sm font-normal text-slate-500">
                        by {r.createdBy}
                      </span>
                    )}
                  </a>
                </li>
              ))}
            </ul>
          )}
      </section>
      <form
        method="post"
        action="/chat"
        onSubmit={submit}
        aria-busy={pending}
        class="h-fit space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm"
      >
        <h2 class="text-lg font-semibold">Create a room</h2>
        <Field
          id="room-name"
          label="Room name"
          hint="Lowercase letters, digits and hyphens, e.g. team-standup."
        >
          <TextInput
            id="room-name"
            name="room"
            required
            maxLength={ROOM_NAME_MAX}
            defaultValue={error?.value}
            autoComplete="off"
            aria-invalid={problem ? true : undefined}
            aria-describedby="room-name-hint room-error"
          />
        </Field>
        <Button type="submit" disabled={pending}>
          {pending ? "Creating…" : "Create room"}
        </Button>
        <FieldError id="room-error">{problem}</FieldError>
      </form>
    </div>
  );
}

/**
 * One chat room: the log (messages, joins, leaves), the member list, and the
 * join form / message box. Server-rendered with the room's state, so the log
 * reads without JavaScript; hydrated, it stays live on `chat:{room}` from the
 * broker head read before that state (`since`): lines and joins/leaves
 * published while the page loads arrive through the stream, so the room is
 * fetched again only after a gap.
 *
 * Membership: joining returns a `memberId` that this tab keeps in
 * `sessionStorage` (a reload re-joins with the same name); the page renews
 * it by heartbeat, and says `leave` with `navigator.sendBeacon` on
 * `pagehide`, so closed pages leave the member list (the server also
 * expires members whose heartbeat stopped).
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useEventStream } from "../lib/client/hook.ts";
import {
  CHAT_EVENTS,
  type ChatLine,
  roomChannel,
  type RoomState,
} from "../lib/app/chat/types.ts";
import { mergeLines, toLine } from "../lib/app/chat/lines.ts";
import { MESSAGE_MAX, USERNAME_MAX } from "../lib/app/chat/validate.ts";

export interface ChatRoomProps {
  initial: RoomState;
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
  /** Prefilled username (the session's display name). */
  suggestedName?: string;
  /** How often the page renews its membership; default 15 s. */
  heartbeatMs?: number;
}

interface Me {
  username: string;
  memberId: string;
  /** This page's join; its leave names it (a reloaded page's late leave is ignored). */
  seat?: string;
}

const storageKey = (room: string) => `herald:chat:${room}`;

function loadMe(room: string): Me | null {
  try {
    const raw = sessionStorage.getItem(storageKey(room));
    return raw ? JSON.parse(raw) as Me : null;
  } catch {
    return null;
  }
}

function saveMe(room: string, me: Me | null) {
  try {
    if (me) sessionStorage.setItem(storageKey(room), JSON.stringify(me));
    else sessionStorage.removeItem(storageKey(room));
  } catch { /* storage off: membership lasts this page only */ }
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = res.status === 204 ? null : await res.json().catch(() => null);
  return { res, json };
}

const sameName = (a: string, b: string) =>
  a.toLocaleLowerCase("en") === b.toLocaleLowerCase("en");

function sortNames(names: string[]) {
  return [...names].sort((a, b) =>
    a.localeCompare(b, "en", { sensitivity: "base" })
  );
}

export default function ChatRoom(
  { initial, since, suggestedName = "", heartbeatMs = 15_000 }: ChatRoomProps,
) {
  const room = initial.room;
  const base = `/chat/${room}`;
  const [lines, setLines] = useState<ChatLine[]>(initial.lines);
  const [members, setMembers] = useState<string[]>(initial.members);
  const [me, setMe] = useState<Me | null>(null);
  const [mounted, setMounted] = useState(false);
  const [joinError, setJoinError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const logRef = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const meRef = useRef<Me | null>(null);
  meRef.current = me;

  const resync = async () => {
    const res = await fetch(`${base}/state`).catch(() => null);
    if (!res?.ok) return;
    const state = await res.json() as RoomState;
    setLines((current) => mergeLines(current, state.lines));
    setMembers(state.members);
  };

  useEventStream({
    channels: [roomChannel(room)],
    events: [...CHAT_EVENTS],
    since,
    onEvent: (e) => {
      const line = toLine(e);
      if (!line) return;
      setLines((current) => mergeLines(current, [line]));
      if (line.event === "join") {
        setMembers((m) =>
          m.some((n) => sameName(n, line.user))
            ? m
            : sortNames([...m, line.user])
        );
      } else if (line.event === "leave") {
        setMembers((m) => m.filter((n) => !sameName(n, line.user)));
      }
    },
    onGap: resync,
  });

  const join = async (username: string, memberId?: string) => {
    setPending(true);
    try {
      const { res, json } = await post(`${base}/join`, { username, memberId });
      if (res.ok) {
        const next = {
          username: json.username,
          memberId: json.memberId,
          seat: json.seat,
        };
        saveMe(room, next);
        setMe(next);
        setMembers(json.members);
        setJoinError(null);
        return true;
      }
      saveMe(room, null);
      setJoinError(json?.error?.message ?? "Could not join the room.");
    } catch {
      setJoinError("The server could not be reached. Please try again.");
    } finally {
      setPending(false);
    }
    return false;
  };

  // Restore this tab's membership after a reload; leave when the page goes.
  useEffect(() => {
    setMounted(true);
    const saved = loadMe(room);
    if (saved) join(saved.username, saved.memberId);
    const onHide = () => {
      const current = meRef.current;
      if (!current) return;
      navigator.sendBeacon(
        `${base}/leave`,
        new Blob([JSON.stringify(current)], { type: "text/plain" }),
      );
    };
    const onShow = (e: PageTransitionEvent) => {
      const current = meRef.current;
      if (e.persisted && current) join(current.username, current.memberId);
    };
    addEventListener("pagehide", onHide);
    addEventListener("pageshow", onShow);
    return () => {
      removeEventListener("pagehide", onHide);
      removeEventListener("pageshow", onShow);
    };
  }, []);

  useEffect(() => {
    if (!me) return;
    const timer = setInterval(async () => {
      const { res, json } = await post(`${base}/heartbeat`, me).catch(() => ({
        res: null,
        json: null,
      }));
      if (res?.ok) setMembers(json.members);
      else if (res?.status === 409) {
        saveMe(room, null);
        setMe(null);
        setJoinError(json?.error?.message ?? "You were removed from the room.");
      }
    }, heartbeatMs);
    return () => clearInterval(timer);
  }, [me?.memberId]);

  // Keep the newest line in view, unless the reader scrolled up.
  useEffect(() => {
    const log = logRef.current;
    if (log && atBottom.current) log.scrollTop = log.scrollHeight;
  }, [lines.length]);

  const onScroll = () => {
    const log = logRef.current;
    if (log) {
      atBottom.current =
        log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    }
  };

  const submitJoin = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    const name = String(
      new FormData(e.currentTarget as HTMLFormElement).get("username") ?? "",
    );
    if (await join(name)) {
      requestAnimationFrame(() =>
        document.getElementById("chat-text")?.focus()
      );
    } else document.getElementById("chat-username")?.focus();
  };

  const submitMessage = async (e: Event) => {
    e.preventDefault();
    if (!me || pending) return;
    const form = e.currentTarget as HTMLFormElement;
    const text = String(new FormData(form).get("text") ?? "");
    setPending(true);
    try {
      const { res, json } = await post(`${base}/messages`, { ...me, text });
      if (res.ok) {
        form.reset();
        setSendError(null);
      } else {
        setSendError(json?.error?.message ?? "The message was not sent.");
        if (res.status === 403) {
          saveMe(room, null);
          setMe(null);
        }
      }
    } catch {
      setSendError("The server could not be reached. Please try again.");
    } finally {
      setPending(false);
      document.getElementById("chat-text")?.focus();
    }
  };

  const leave = async () => {
    if (!me) return;
    const current = me;
    saveMe(room, null);
    setMe(null);
    await post(`${base}/leave`, current).catch(() => {});
    requestAnimationFrame(() =>
      document.getElementById("chat-username")?.focus()
    );
  };

  const time = (ms: number) =>
    new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      // The server renders UTC; the browser switches to local time once mounted.
      timeZone: mounted ? undefined : "UTC",
    }).format(ms);

  return (
    <div class="grid gap-4 md:grid-cols-[1fr_14rem]">
      <section aria-labelledby="log-heading" class="min-w-0">
        <h2 id="log-heading" class="sr-only">Messages</h2>
        <ol
          ref={logRef}
          id="chat-log"
          role="log"
          aria-live="polite"
          aria-label={`Messages in #${room}`}
          tabIndex={0}
          onScroll={onScroll}
          class="h-96 space-y-1 overflow-y-auto rounded-lg border border-slate-200 bg-white p-3 focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          {lines.length === 0 && (
            <li class="text-slate-500">No messages yet. Say hello!</li>
          )}
          {lines.map((l) => (
            <li key={l.id} data-event={l.event} class="break-words">
              <time
                dateTime={new Date(l.time).toISOString()}
                class="mr-2 text-xs tabular-nums text-slate-500"
              >
                {time(l.time)}
              </time>
              {l.event === "message"
                ? (
                  <>
                    <strong class="font-semibold text-slate-900">
                      {l.user}
                    </strong>
                    <span class="sr-only">says</span>{" "}
                    <span class="whitespace-pre-wrap [overflow-wrap:anywhere]">
                      {l.text}
                    </span>
                  </>
                )
                : (
                  <em class="text-sm text-slate-600">
                    {l.user} {l.event === "join"
                      ? "joined"
                      : l.reason === "expired"
                      ? "left (connection lost)"
                      : "left"}
                  </em>
                )}
            </li>
          ))}
        </ol>

        {me
          ? (
            <form
              key="compose"
              onSubmit={submitMessage}
              aria-busy={pending}
              class="mt-3 flex flex-wrap items-end gap-2"
            >
              <div class="min-w-0 flex-1">
                <label for="chat-text" class="block text-sm font-medium">
                  Message as {me.username}
                </label>
                <input
                  id="chat-text"
                  name="text"
                  required
                  maxLength={MESSAGE_MAX}
                  autoComplete="off"
                  aria-invalid={sendError ? true : undefined}
                  aria-describedby="chat-send-error"
                  class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus-visible:outline-2 focus-visible:outline-sky-600"
                />
              </div>
              <button
                type="submit"
                disabled={pending}
                class="rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60"
              >
                Send
              </button>
              <button
                type="button"
                onClick={leave}
                class="rounded-md border border-slate-300 bg-white px-4 py-2 font-medium text-slate-700 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
              >
                Leave
              </button>
              <p
                id="chat-send-error"
                aria-live="polite"
                class="min-h-5 w-full text-sm text-red-700"
              >
                {sendError}
              </p>
            </form>
          )
          : (
            <form
              key="join"
              onSubmit={submitJoin}
              aria-busy={pending}
              class="mt-3 flex flex-wrap items-end gap-2"
            >
              <div class="min-w-0 flex-1">
                <label for="chat-username" class="block text-sm font-medium">
                  Your name in this room
                </label>
                <input
                  id="chat-username"
                  name="username"
                  required
                  maxLength={USERNAME_MAX}
                  defaultValue={suggestedName}
                  autoComplete="nickname"
                  disabled={!mounted}
                  aria-invalid={joinError ? true : undefined}
                  aria-describedby="chat-join-error"
                  class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus-visible:outline-2 focus-visible:outline-sky-600 disabled:bg-slate-100"
                />
              </div>
              <button
                type="submit"
                disabled={pending || !mounted}
                class="rounded-md bg-sky-700 px-4 py-2 font-medium text-white hover:bg-sky-800 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600 disabled:opacity-60"
              >
                {pending ? "Joining…" : "Join"}
              </button>
              <p
                id="chat-join-error"
                aria-live="polite"
                class="min-h-5 w-full text-sm text-red-700"
              >
                {joinError ??
                  (!mounted && "Joining and sending need JavaScript.")}
              </p>
            </form>
          )}
      </section>

      <section
        aria-labelledby="members-heading"
        class="h-fit rounded-lg border border-slate-200 bg-white p-3"
      >
        <h2 id="members-heading" class="mb-2 font-semibold">
          Members <span class="text-slate-500">({members.length})</span>
        </h2>
        <ul id="chat-members" class="space-y-1 text-sm">
          {members.length === 0 && (
            <li class="text-slate-500">Nobody has joined yet.</li>
          )}
          {members.map((name) => (
            <li key={name} data-member={name} class="break-words">
              {name}
              {me && sameName(me.username, name) && (
                <span class="ml-1 text-slate-500">(you)</span>
              )}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/**
 * One chat room: the log, the member list and the join form / message box, live on
 * `chat:{room}` from `since`; membership is lib/app/chat/membership.ts. The list
 * is the server's (presence of the room's channel ∩ names held), followed by
 * the room's `join`/`leave` (names) and its presence events (who is there).
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { useEventStream } from "../lib/client/hook.ts";
import {
  CHAT_EVENTS,
  type ChatLine,
  roomChannel,
  roomPresenceChannel,
  type RoomState,
} from "../lib/app/chat/types.ts";
import {
  mergeLines,
  MESSAGE_MAX,
  toLine,
  toPresence,
  USERNAME_MAX,
} from "../lib/app/chat/lines.ts";
import {
  followLine,
  followPresence,
  memberBook,
} from "../lib/app/chat/roster.ts";
import { useMembership } from "../lib/app/chat/membership.ts";
import { Button } from "../components/Button.tsx";
import { InlineForm } from "../components/InlineForm.tsx";
import { ChatLog } from "../components/chat/ChatLog.tsx";
import { MemberList } from "../components/chat/MemberList.tsx";

export interface ChatRoomProps {
  initial: RoomState;
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
  /** Prefilled username (the session's display name). */
  suggestedName?: string;
  /** This page's identity (its session): the member it is, when it joins. */
  user?: string;
}

const focus = (id: string) => document.getElementById(id)?.focus();

export default function ChatRoom(
  { initial, since, suggestedName = "", user }: ChatRoomProps,
) {
  const room = initial.room;
  const [lines, setLines] = useState<ChatLine[]>(initial.lines);
  const [book, setBook] = useState(() => memberBook(initial.members));
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const membership = useMembership(room, {
    user,
    username: initial.me,
    onMembers: (list) => setBook(memberBook(list)),
  });
  const { me, pending, joinError, sendError, join, send, leave } = membership;

  useEventStream({
    channels: [roomChannel(room), roomPresenceChannel(room)],
    events: [...CHAT_EVENTS, "presence"],
    since,
    onEvent: (e) => {
      const presence = toPresence(e);
      if (presence) return setBook((b) => followPresence(b, presence));
      const line = toLine(e);
      if (!line) return;
      setLines((current) => mergeLines(current, [line]));
      setBook((b) => followLine(b, line));
      membership.follow(line);
    },
    onGap: async () => {
      const res = await fetch(`/chat/${room}/state`).catch(() => null);
      if (!res?.ok) return;
      const state = await res.json() as RoomState;
      setLines((current) => mergeLines(current, state.lines));
      setBook(memberBook(state.members));
      membership.resync(state.me);
    },
  });

  const submitJoin = async (e: Event) => {
    e.preventDefault();
    if (pending) return;
    const name = String(
      new FormData(e.currentTarget as HTMLFormElement).get("username") ?? "",
    );
    if (await join(name)) requestAnimationFrame(() => focus("chat-text"));
    else focus("chat-username");
  };

  const submitMessage = async (e: Event) => {
    e.preventDefault();
    if (!me || pending) return;
    const form = e.currentTarget as HTMLFormElement;
    if (await send(String(new FormData(form).get("text") ?? ""))) form.reset();
    focus("chat-text");
  };

  const leaveRoom = async () => {
    await leave();
    requestAnimationFrame(() => focus("chat-username"));
  };

  return (
    <div class="grid gap-4 md:grid-cols-[1fr_14rem]">
      <section aria-labelledby="log-heading" class="min-w-0">
        <h2 id="log-heading" class="sr-only">Messages</h2>
        <ChatLog room={room} lines={lines} localTime={mounted} />
        {me
          ? (
            <InlineForm
              key="compose"
              onSubmit={submitMessage}
              pending={pending}
              label={`Message as ${me.username}`}
              input={{
                id: "chat-text",
                name: "text",
                required: true,
                maxLength: MESSAGE_MAX,
                autoComplete: "off",
              }}
              errorId="chat-send-error"
              invalid={Boolean(sendError)}
              message={sendError}
            >
              <Button type="submit" disabled={pending}>Send</Button>
              <Button variant="secondary" onClick={leaveRoom}>Leave</Button>
            </InlineForm>
          )
          : (
            <InlineForm
              key="join"
              onSubmit={submitJoin}
              pending={pending}
              label="Your name in this room"
              input={{
                id: "chat-username",
                name: "username",
                required: true,
                maxLength: USERNAME_MAX,
                defaultValue: suggestedName,
                autoComplete: "nickname",
                disabled: !mounted,
              }}
              errorId="chat-join-error"
              invalid={Boolean(joinError)}
              message={joinError ??
                (!mounted && "Joining and sending need JavaScript.")}
            >
              <Button type="submit" disabled={pending || !mounted}>
                {pending ? "Joining…" : "Join"}
              </Button>
            </InlineForm>
          )}
      </section>
      <MemberList members={book.members} me={me?.user} />
    </div>
  );
}

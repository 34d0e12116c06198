/** A chat room's log (messages, joins, leaves); it keeps the newest line in view unless the reader scrolled up. */
import { useEffect, useRef } from "preact/hooks";
import type { ChatLine } from "../../lib/app/chat/types.ts";

export interface ChatLogProps {
  room: string;
  lines: ChatLine[];
  /** Times in the reader's zone; the server renders UTC, the browser switches once mounted. */
  localTime: boolean;
}

/** How close to the bottom (px) still counts as "following the log". */
const FOLLOW_SLACK = 40;

export function ChatLog({ room, lines, localTime }: ChatLogProps) {
  const logRef = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    const log = logRef.current;
    if (log && atBottom.current) log.scrollTop = log.scrollHeight;
  }, [lines.length]);

  const onScroll = () => {
    const log = logRef.current;
    if (log) {
      atBottom.current =
        log.scrollHeight - log.scrollTop - log.clientHeight < FOLLOW_SLACK;
    }
  };

  const time = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    timeZone: localTime ? undefined : "UTC",
  });

  return (
    // The live region is the scrolling box; the lines inside keep list semantics.
    <div
      ref={logRef}
      id="chat-log"
      role="log"
      aria-live="polite"
      aria-label={`Messages in #${room}`}
      tabIndex={0}
      onScroll={onScroll}
      class="h-96 overflow-y-auto rounded-lg border border-slate-200 bg-white p-3 focus-visible:outline-2 focus-visible:outline-sky-600"
    >
      <ol class="space-y-1">
        {lines.length === 0 && (
          <li class="text-slate-500">No messages yet. Say hello!</li>
        )}
        {lines.map((l) => (
          <li key={l.id} data-event={l.event} class="break-words">
            <time
              dateTime={new Date(l.time).toISOString()}
              class="mr-2 text-xs tabular-nums text-slate-500"
            >
              {time.format(l.time)}
            </time>
            <LineText line={l} />
          </li>
        ))}
      </ol>
    </div>
  );
}

function LineText({ line }: { line: ChatLine }) {
  if (line.event === "message") {
    return (
      <>
        <strong class="font-semibold text-slate-900">{line.user}</strong>
        <span class="sr-only">says</span>{" "}
        <span class="whitespace-pre-wrap [overflow-wrap:anywhere]">
          {line.text}
        </span>
      </>
    );
  }
  const what = line.event === "join" ? "joined" : line.reason === "expired" // older history: a heartbeat stopped
    ? "left (connection lost)"
    : "left";
  return <em class="text-sm text-slate-600">{line.user} {what}</em>;
}

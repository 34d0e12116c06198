/**
 * The connection badge: a dot and a word for the stream's status, as wide as its word
 * (it sits at the end of its row, so a change of word moves nothing else), announced
 * politely to screen readers. `ended` is a finished run (the clock), not a failure:
 * it reads as done, not as offline.
 *
 * @module
 */
import type { StreamStatus } from "../lib/client/connection.ts";

/** What a badge shows: the stream's status, or a run that finished as it should. */
export type BadgeStatus = StreamStatus | "ended";

const LOOK: Record<BadgeStatus, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-amber-400" },
  open: { label: "Live", dot: "bg-emerald-500" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  closed: { label: "Offline", dot: "bg-slate-400" },
  ended: { label: "Ended", dot: "bg-sky-500" },
};

export function StatusBadge(
  { status, label = "Connection" }: { status: BadgeStatus; label?: string },
) {
  const look = LOOK[status];
  return (
    <span
      role="status"
      data-status={status}
      class="inline-flex w-fit shrink-0 items-center gap-2 rounded-full border border-slate-300 bg-white px-3 py-1 text-xs font-medium text-slate-700"
    >
      <span
        aria-hidden="true"
        class={`h-2 w-2 shrink-0 rounded-full ${look.dot}`}
      />
      <span>
        <span class="sr-only">{label}:</span>
        {look.label}
      </span>
    </span>
  );
}

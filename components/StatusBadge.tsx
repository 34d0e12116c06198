/**
 * The connection badge: a dot and a word for the stream's status, as wide as its word
 * (it sits at the end of its row, so a change of word moves nothing else), announced
 * politely to screen readers.
 *
 * @module
 */
import type { StreamStatus } from "../lib/client/connection.ts";

const LOOK: Record<StreamStatus, { label: string; dot: string }> = {
  connecting: { label: "Connecting", dot: "bg-amber-400" },
  open: { label: "Live", dot: "bg-emerald-500" },
  reconnecting: { label: "Reconnecting", dot: "bg-amber-500 animate-pulse" },
  closed: { label: "Offline", dot: "bg-slate-400" },
};

export function StatusBadge(
  { status, label = "Connection" }: { status: StreamStatus; label?: string },
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

/**
 * One notification in a feed: a coloured kind marker, the message, and a
 * line with the time, the sender and the sender's country.
 *
 * @module
 */
import { flagOf } from "../lib/app/notifications/country.ts";
import type { Notification } from "../lib/app/notifications/notification.ts";

const KIND_LOOK = {
  info: "border-l-sky-500",
  success: "border-l-emerald-500",
  warning: "border-l-amber-500",
  error: "border-l-red-500",
} as const;

/**
 * The time of day: UTC on the server (the visitor's zone is unknown there),
 * local once the island runs (`local`).
 */
export function formatTime(ms: number, local: boolean): string {
  const format = new Intl.DateTimeFormat("en-GB", {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    timeZone: local ? undefined : "UTC",
  });
  return format.format(ms) + (local ? "" : " UTC");
}

export function NotificationCard(
  { item, local }: { item: Notification; local: boolean },
) {
  return (
    <li
      data-id={item.id}
      data-kind={item.kind}
      class={`rounded-md border border-slate-200 border-l-4 bg-white p-3 shadow-sm ${
        KIND_LOOK[item.kind]
      }`}
    >
      <p class="break-words text-slate-900">
        <span class="sr-only">{item.kind}:</span>
        {item.message}
      </p>
      <p class="mt-1 flex flex-wrap gap-x-3 text-xs text-slate-500">
        <time dateTime={new Date(item.time).toISOString()}>
          {formatTime(item.time, local)}
        </time>
        <span class="uppercase">{item.kind}</span>
        {item.sender && <span>{item.sender}</span>}
        {item.country && (
          <span title={`Country: ${item.country}`}>
            <span aria-hidden="true">{flagOf(item.country)}</span>{" "}
            {item.country}
          </span>
        )}
      </p>
    </li>
  );
}

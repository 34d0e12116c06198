/**
 * Herald's own log, live from the render on (`since`): filtered by level, following
 * new entries on request, clearable, at most 1,000 entries in the browser.
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { useEventStream } from "../lib/client/hook.ts";
import { fetchHistory } from "../lib/client/history.ts";
import {
  entriesOf,
  keepLast,
  LEVELS,
  LOG_CHANNEL,
  LOG_EVENTS,
  type LogEntry,
  type LogLevel,
} from "../lib/app/logs/entry.ts";

/** Most entries kept in the page. */
export const MAX_ENTRIES = 1000;

const LEVEL_LOOK: Record<LogLevel, string> = {
  info: "bg-sky-100 text-sky-900",
  warn: "bg-amber-100 text-amber-900",
  error: "bg-red-100 text-red-900",
};

function timeOf(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23);
}

function fieldsText(fields: Record<string, unknown>): string {
  return Object.entries(fields).map(([k, v]) =>
    `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`
  ).join(" ");
}

async function fetchLatest(): Promise<LogEntry[]> {
  return (await fetchHistory(LOG_CHANNEL)).flatMap(entriesOf);
}

export interface LogViewProps {
  initial: LogEntry[];
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
}

export default function LogView({ initial, since }: LogViewProps) {
  const [entries, setEntries] = useState(initial);
  const [shown, setShown] = useState<Record<LogLevel, boolean>>({
    info: true,
    warn: true,
    error: true,
  });
  const [follow, setFollow] = useState(true);
  const box = useRef<HTMLDivElement>(null);

  useEventStream({
    channels: [LOG_CHANNEL],
    events: LOG_EVENTS,
    since,
    onEvent: (e) => {
      const added = entriesOf(e);
      if (added.length === 0) return;
      setEntries((list) => {
        // The render may already hold it: history is read after `since`.
        const known = new Set(list.map((entry) => entry.key));
        const fresh = added.filter((entry) => !known.has(entry.key));
        return fresh.length ? keepLast([...list, ...fresh], MAX_ENTRIES) : list;
      });
    },
    onGap: () => {
      fetchLatest().then(
        (list) => setEntries(keepLast(list, MAX_ENTRIES)),
        console.error,
      );
    },
  });

  const visible = entries.filter((e) => shown[e.level]);
  // The newest shown entry too: a full log (1,000) keeps its length.
  const newest = visible.at(-1)?.key;

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [newest, visible.length, follow]);

  return (
    <section aria-labelledby="log-title" class="min-w-0">
      <h2 id="log-title" class="sr-only">Log entries</h2>
      <div class="mb-3 flex flex-wrap items-center gap-x-6 gap-y-3">
        <fieldset class="flex flex-wrap items-center gap-3">
          <legend class="sr-only">Levels to show</legend>
          <span aria-hidden="true" class="text-sm font-medium">Show:</span>
          {LEVELS.map((level) => (
            <label key={level} class="inline-flex items-center gap-1 text-sm">
              <input
                type="checkbox"
                name="level"
                value={level}
                checked={shown[level]}
                onChange={(e) =>
                  setShown({
                    ...shown,
                    [level]: (e.currentTarget as HTMLInputElement).checked,
                  })}
                class="h-4 w-4 focus-visible:outline-2 focus-visible:outline-sky-600"
              />
              {level}
            </label>
          ))}
        </fieldset>
        <label class="inline-flex items-center gap-1 text-sm">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) =>
              setFollow((e.currentTarget as HTMLInputElement).checked)}
            class="h-4 w-4 focus-visible:outline-2 focus-visible:outline-sky-600"
          />
          Follow new entries
        </label>
        <button
          type="button"
          onClick={() => setEntries([])}
          class="rounded-md border border-slate-300 bg-white px-3 py-1 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          Clear
        </button>
        <span class="text-sm text-slate-500" data-count={visible.length}>
          {visible.length} of {entries.length} entries
        </span>
      </div>
      <div
        ref={box}
        role="log"
        aria-labelledby="log-title"
        tabIndex={0}
        class="h-[28rem] overflow-y-auto rounded-lg border border-slate-200 bg-white font-mono text-xs focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        {visible.length === 0
          ? <p class="p-3 font-sans text-sm text-slate-500">No entries.</p>
          : (
            <ol>
              {visible.map((e) => (
                <li
                  key={e.key}
                  data-level={e.level}
                  class="flex flex-wrap gap-x-2 border-b border-slate-100 px-3 py-1"
                >
                  <time
                    dateTime={new Date(e.time).toISOString()}
                    class="text-slate-500"
                  >
                    {timeOf(e.time)}
                  </time>
                  <span class={`rounded px-1 uppercase ${LEVEL_LOOK[e.level]}`}>
                    {e.level}
                  </span>
                  <span class="font-semibold text-slate-900">{e.message}</span>
                  <span class="min-w-0 break-all text-slate-600">
                    {fieldsText(e.fields)}
                  </span>
                </li>
              ))}
            </ol>
          )}
      </div>
    </section>
  );
}

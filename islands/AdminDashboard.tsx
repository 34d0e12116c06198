/**
 * The admin dashboard: live charts of every process and the channel inspector, from
 * `GET /api/channels` read every `pollMs`.
 *
 * @module
 */
import { useEffect, useState } from "preact/hooks";
import { Button } from "../components/Button.tsx";
import { Field, TextArea, TextInput } from "../components/Field.tsx";
import { LineChart, type Series } from "../components/admin/LineChart.tsx";
import type { AdminView, ProcessView } from "../lib/app/admin/stats.ts";

/** Points kept per chart (two minutes at one a second). */
const SLOTS = 120;
const COLORS = ["#0369a1", "#b45309", "#15803d", "#7e22ce", "#be123c"];
const TOTAL_COLOR = "#0f172a";

interface Props {
  initial: AdminView;
  pollMs: number;
}

interface StoredEvent {
  id: string;
  event: string;
  data: unknown;
  time: number;
}

/** One series per process plus the total, for the value `pick` reads. */
function perProcess(
  history: AdminView[],
  pick: (p: ProcessView) => number | null,
  total?: (view: AdminView) => number,
): Series[] {
  const ids = [
    ...new Set(history.flatMap((v) => v.processes.map((p) => p.process))),
  ];
  const series: Series[] = ids.map((id, i) => ({
    name: id,
    color: COLORS[i % COLORS.length],
    values: history.map((v) => {
      const p = v.processes.find((p) => p.process === id);
      return p ? pick(p) : null;
    }),
  }));
  if (total) {
    series.push({
      name: "total",
      color: TOTAL_COLOR,
      values: history.map(total),
    });
  }
  return series;
}

function ChannelEvents({ channel }: { channel: string }) {
  const [events, setEvents] = useState<StoredEvent[] | null>(null);
  const [error, setError] = useState("");
  useEffect(() => {
    setEvents(null);
    fetch(`/api/channels/${encodeURIComponent(channel)}/messages?limit=20`)
      .then(async (res) => {
        const body = await res.json();
        if (!res.ok) throw new Error(body?.error?.message ?? res.statusText);
        setEvents((body.events as StoredEvent[]).slice().reverse());
      })
      .catch((err) => setError(String(err.message ?? err)));
  }, [channel]);
  if (error) return <p class="text-red-700">{error}</p>;
  if (!events) return <p class="text-slate-500">Loading…</p>;
  if (events.length === 0) return <p class="text-slate-500">No events kept.</p>;
  return (
    <ol data-channel-events={channel} class="space-y-1 font-mono text-xs">
      {events.map((e) => (
        <li key={e.id} class="break-all">
          <span class="text-slate-500">{e.id}</span> {e.event}{" "}
          {JSON.stringify(e.data).slice(0, 300)}
        </li>
      ))}
    </ol>
  );
}

function PublishForm({ channel }: { channel: string }) {
  const [status, setStatus] = useState("");
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const target = String(form.get("channel") ?? "").trim();
    let data: unknown;
    try {
      data = JSON.parse(String(form.get("data") ?? "null"));
    } catch {
      setStatus("The data is not valid JSON.");
      return;
    }
    const name = String(form.get("event") ?? "").trim();
    const res = await fetch(
      `/api/channels/${encodeURIComponent(target)}/messages`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(name ? { event: name, data } : { data }),
      },
    );
    const body = await res.json().catch(() => null);
    setStatus(
      res.ok
        ? `Published ${body?.id} on ${target}.`
        : `${res.status}: ${body?.error?.message ?? res.statusText}`,
    );
  };
  return (
    <form onSubmit={submit} class="grid gap-3 sm:grid-cols-2">
      <Field id="test-channel" label="Channel">
        <TextInput id="test-channel" name="channel" value={channel} required />
      </Field>
      <Field id="test-event" label="Event name (optional)">
        <TextInput id="test-event" name="event" />
      </Field>
      <Field id="test-data" label="Data (JSON)" class="sm:col-span-2">
        <TextArea id="test-data" name="data" rows={2}>
          {'{"test": true}'}
        </TextArea>
      </Field>
      <div class="flex items-center gap-3 sm:col-span-2">
        <Button type="submit">Publish a test event</Button>
        <span role="status" class="text-sm text-slate-700">{status}</span>
      </div>
    </form>
  );
}

export default function AdminDashboard({ initial, pollMs }: Props) {
  const [history, setHistory] = useState<AdminView[]>([initial]);
  const [error, setError] = useState("");
  const [selected, setSelected] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const res = await fetch("/api/channels", { cache: "no-store" });
        if (!res.ok) throw new Error(`GET /api/channels: ${res.status}`);
        const view = await res.json() as AdminView;
        if (!stopped) {
          setHistory((h) => [...h.slice(-(SLOTS - 1)), view]);
          setError("");
        }
      } catch (err) {
        if (!stopped) setError(String((err as Error).message ?? err));
      }
    };
    const timer = setInterval(poll, pollMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [pollMs]);

  const latest = history[history.length - 1];
  return (
    <div class="space-y-6">
      {error && <p role="alert" class="text-red-700">{error}</p>}
      <p class="text-sm text-slate-600">
        <span data-processes={latest.totals.processes}>
          {latest.totals.processes} process(es)
        </span>
        , {latest.totals.healthy} with a healthy broker, {latest.totals.streams}
        {" "}
        open stream(s).
      </p>
      <div class="grid gap-4 lg:grid-cols-2">
        <LineChart
          id="streams"
          title="Open streams"
          slots={SLOTS}
          series={perProcess(
            history,
            (p) => p.streams,
            (v) => v.totals.streams,
          )}
        />
        <LineChart
          id="rates"
          title="Messages/s in and out (total)"
          slots={SLOTS}
          series={[
            {
              name: "in",
              color: COLORS[0],
              values: history.map((v) => v.totals.inPerSecond),
            },
            {
              name: "out",
              color: COLORS[1],
              values: history.map((v) => v.totals.outPerSecond),
            },
          ]}
        />
        <LineChart
          id="out-per-process"
          title="Messages/s out, per process"
          slots={SLOTS}
          series={perProcess(history, (p) => p.outPerSecond)}
        />
        <LineChart
          id="latency"
          title="Delivery latency p50 / p99"
          unit=" ms"
          slots={SLOTS}
          series={[
            ...perProcess(history, (p) => p.latencyP50Ms).map((s) => ({
              ...s,
              name: `${s.name} p50`,
            })),
            ...perProcess(history, (p) => p.latencyP99Ms).map((s) => ({
              ...s,
              name: `${s.name} p99`,
              color: s.color + "80",
            })),
          ]}
        />
        <LineChart
          id="health"
          title="Processes with a healthy broker"
          slots={SLOTS}
          series={[
            {
              name: "healthy",
              color: COLORS[2],
              values: history.map((v) => v.totals.healthy),
            },
            {
              name: "processes",
              color: TOTAL_COLOR,
              values: history.map((v) => v.totals.processes),
            },
          ]}
        />
      </div>

      <section>
        <h2
          id="admin-processes"
          class="mb-2 text-lg font-semibold text-slate-900"
        >
          Processes
        </h2>
        {/* Scrolls sideways on a phone: focusable, so a keyboard can scroll it too. */}
        <div
          role="region"
          aria-labelledby="admin-processes"
          tabIndex={0}
          class="overflow-x-auto focus-visible:outline-2 focus-visible:outline-sky-600"
        >
          <table class="min-w-full text-left text-sm">
            <thead class="text-slate-500">
              <tr>
                <th class="pr-4">process</th>
                <th class="pr-4">broker</th>
                <th class="pr-4">streams</th>
                <th class="pr-4">in/s</th>
                <th class="pr-4">out/s</th>
                <th class="pr-4">p50 / p99 ms</th>
                <th class="pr-4">RSS MB</th>
                <th class="pr-4">loop lag ms</th>
              </tr>
            </thead>
            <tbody>
              {latest.processes.map((p) => (
                <tr key={p.process} data-process={p.process}>
                  <td class="pr-4 font-mono">{p.process}</td>
                  <td class="pr-4">
                    {p.broker} {p.brokerHealthy ? "✓" : "✗ unhealthy"}
                  </td>
                  <td class="pr-4">{p.streams}</td>
                  <td class="pr-4">{p.inPerSecond?.toFixed(1) ?? "–"}</td>
                  <td class="pr-4">{p.outPerSecond?.toFixed(1) ?? "–"}</td>
                  <td class="pr-4">
                    {p.latencyP50Ms?.toFixed(1) ?? "–"} /{" "}
                    {p.latencyP99Ms?.toFixed(1) ?? "–"}
                  </td>
                  <td class="pr-4">{(p.rssBytes / 1e6).toFixed(0)}</td>
                  <td class="pr-4">{p.eventLoopLagMs.toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section>
        <h2 class="mb-2 text-lg font-semibold text-slate-900">Channels</h2>
        {latest.channels.length === 0
          ? <p class="text-slate-500">No channel is followed right now.</p>
          : (
            <table class="min-w-full text-left text-sm">
              <thead class="text-slate-500">
                <tr>
                  <th class="pr-4">channel</th>
                  <th class="pr-4">subscribers</th>
                  <th class="pr-4">events/s</th>
                  <th class="pr-4">processes</th>
                </tr>
              </thead>
              <tbody>
                {latest.channels.map((c) => (
                  <tr key={c.channel} data-channel={c.channel}>
                    <td class="pr-4">
                      <button
                        type="button"
                        class="font-mono text-sky-700 underline"
                        onClick={() =>
                          setSelected(c.channel)}
                      >
                        {c.channel}
                      </button>
                    </td>
                    <td class="pr-4">{c.subscribers}</td>
                    <td class="pr-4">{c.perSecond?.toFixed(1) ?? "–"}</td>
                    <td class="pr-4">{c.processes}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        {selected && (
          <div class="mt-4 space-y-2">
            <h3 class="font-semibold text-slate-800">
              Last events of <span class="font-mono">{selected}</span>
            </h3>
            <ChannelEvents channel={selected} />
          </div>
        )}
      </section>

      <section>
        <h2 class="mb-2 text-lg font-semibold text-slate-900">
          Publish a test event
        </h2>
        <PublishForm channel={selected ?? "admin-test"} />
      </section>
    </div>
  );
}

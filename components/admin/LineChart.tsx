/**
 * A small line chart in inline SVG: one polyline per series over shared time slots
 * (a null is skipped), the legend showing each series' latest value.
 *
 * @module
 */

export interface Series {
  name: string;
  color: string;
  /** One value per slot, oldest first; null where unknown. */
  values: (number | null)[];
}

const WIDTH = 480;
const HEIGHT = 140;
const PAD = 4;

function format(value: number | null, unit: string): string {
  if (value === null) return "–";
  const shown = Number.isInteger(value) || value >= 100
    ? Math.round(value).toString()
    : value >= 10
    ? value.toFixed(1)
    : value.toFixed(2);
  return `${shown}${unit}`;
}

export function LineChart(
  { id, title, unit = "", series, slots }: {
    id: string;
    title: string;
    unit?: string;
    series: Series[];
    /** How many slots the x axis holds. */
    slots: number;
  },
) {
  const all = series.flatMap((s) => s.values.filter((v) => v !== null));
  const max = Math.max(1, ...(all as number[]));
  const x = (i: number) =>
    PAD + (i * (WIDTH - 2 * PAD)) / Math.max(1, slots - 1);
  const y = (v: number) => HEIGHT - PAD - (v / max) * (HEIGHT - 2 * PAD);
  return (
    <figure
      data-chart={id}
      class="rounded-lg border border-slate-200 bg-white p-3"
    >
      <figcaption class="mb-2 flex items-baseline justify-between gap-2">
        <span class="font-semibold text-slate-800">{title}</span>
        <span class="text-xs text-slate-500">max {format(max, unit)}</span>
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        class="h-32 w-full"
        role="img"
        aria-label={title}
      >
        <line
          x1={PAD}
          y1={HEIGHT - PAD}
          x2={WIDTH - PAD}
          y2={HEIGHT - PAD}
          stroke="#cbd5e1"
        />
        {series.map((s) => {
          const offset = slots - s.values.length;
          const points = s.values
            .map((v, i) => v === null ? null : `${x(i + offset)},${y(v)}`)
            .filter((p) => p !== null)
            .join(" ");
          return (
            <polyline
              key={s.name}
              data-series={s.name}
              points={points}
              fill="none"
              stroke={s.color}
              stroke-width="2"
            />
          );
        })}
      </svg>
      <ul class="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs">
        {series.map((s) => (
          <li key={s.name} class="flex items-center gap-1">
            <span
              class="inline-block h-2 w-3 rounded"
              style={{ background: s.color }}
            />
            <span class="text-slate-600">{s.name}</span>
            <span data-latest={s.name} class="font-mono text-slate-900">
              {format(s.values.at(-1) ?? null, unit)}
            </span>
          </li>
        ))}
      </ul>
    </figure>
  );
}

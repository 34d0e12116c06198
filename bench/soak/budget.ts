/**
 * The memory budget the soak holds Herald to, computed from the server's
 * settings the way the README's Security section states it, and the peak and
 * current resident memory of a process from /proc.
 *
 * @example
 * ```ts
 * const budget = memoryBudget(env, { baseline, streams: 200, connections: 900 });
 * budget.total; // bytes
 * ```
 * @module
 */

export interface BudgetInput {
  /** The server's RSS once started and warmed up, before any client. */
  baseline: number;
  /** The most SSE streams open at once during the run (every client's). */
  streams: number;
  /** The most connections the server lets in at once (its connection cap). */
  connections: number;
}

export interface Budget {
  total: number;
  /** Each term, for the report: name → bytes. */
  terms: [string, number][];
}

/** The runtime's own cost of an open connection with a stream (README, Performance: ~80 KB). */
export const CONNECTION_BYTES = 80 * 1024;
/** Runtime slack: uncollected garbage and hyper's write buffers (the memory tests' margin). */
export const RUNTIME_MARGIN = 128 * 1024 * 1024;

function setting(
  env: Record<string, string>,
  name: string,
  fallback: number,
): number {
  const raw = env[name];
  return raw === undefined ? fallback : Number(raw);
}

/**
 * baseline + streams × 2.5 × HERALD_SUBSCRIBER_BUFFER_BYTES (a stream's
 * buffer, the chunk being written and the kernel's share being refilled)
 * + HERALD_HISTORY_CONCURRENCY × HERALD_HISTORY_PAGE_BYTES (history
 * responses in flight) — the README's process-wide budget — plus the
 * runtime's ~80 KB per connection the server lets in, and a 128 MB margin
 * for garbage not yet collected and hyper's write buffers.
 */
export function memoryBudget(
  env: Record<string, string>,
  input: BudgetInput,
): Budget {
  const buffer = setting(env, "HERALD_SUBSCRIBER_BUFFER_BYTES", 1024 * 1024);
  const historySlots = setting(env, "HERALD_HISTORY_CONCURRENCY", 8);
  const historyPage = setting(env, "HERALD_HISTORY_PAGE_BYTES", 1024 * 1024);
  const terms: [string, number][] = [
    ["baseline RSS", input.baseline],
    [
      `${input.streams} streams × 2.5 × ${buffer} B buffer`,
      input.streams * 2.5 * buffer,
    ],
    [
      `${historySlots} history reads × ${historyPage} B page`,
      historySlots * historyPage,
    ],
    [
      `${input.connections} connections × ${CONNECTION_BYTES} B`,
      input.connections * CONNECTION_BYTES,
    ],
    ["runtime margin", RUNTIME_MARGIN],
  ];
  return { total: terms.reduce((sum, [, b]) => sum + b, 0), terms };
}

export interface Resident {
  /** VmRSS, bytes. */
  rss: number;
  /** VmHWM (peak RSS since start), bytes. */
  peak: number;
}

/** VmRSS and VmHWM of `pid`; null when the process is gone. */
export function resident(pid: number): Resident | null {
  let status: string;
  try {
    status = Deno.readTextFileSync(`/proc/${pid}/status`);
  } catch {
    return null;
  }
  const kb = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, "m").exec(status)?.[1]) *
    1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/**
 * The memory budget the soak holds Herald to, computed from the server's
 * settings the way the README's Security section states it, and the peak and
 * current resident memory of a process from /proc.
 *
 * @example
 * ```ts
 * const budget = memoryBudget(env, { baseline, streams: 200, nofile: 1024 });
 * budget.total; // bytes
 * ```
 * @module
 */

export interface BudgetInput {
  /** The server's RSS once started and warmed up, before any client. */
  baseline: number;
  /** The most SSE streams open at once during the run (every client's). */
  streams: number;
  /** The server's open-file limit. */
  nofile: number;
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
 * The most connections the server lets in: `HERALD_MAX_CONNECTIONS`, by
 * default the open-file limit less max(64, 10 %) (README, Configuration).
 */
export function connectionCap(
  env: Record<string, string>,
  nofile: number,
): number {
  const set = env.HERALD_MAX_CONNECTIONS;
  if (set !== undefined && Number(set) > 0) return Number(set);
  return nofile - Math.max(64, Math.floor(nofile / 10));
}

/**
 * baseline + streams × 2.5 × HERALD_SUBSCRIBER_BUFFER_BYTES (a stream's
 * buffer, the chunk being written and the kernel's share being refilled)
 * + HERALD_HISTORY_CONCURRENCY × HERALD_HISTORY_PAGE_BYTES (history
 * responses in flight) — the README's process-wide budget — plus the
 * runtime's ~80 KB per connection the server lets in ({@link connectionCap}), and a 128 MB margin
 * for garbage not yet collected and hyper's write buffers.
 */
export function memoryBudget(
  env: Record<string, string>,
  input: BudgetInput,
): Budget {
  const buffer = setting(env, "HERALD_SUBSCRIBER_BUFFER_BYTES", 1024 * 1024);
  const historySlots = setting(env, "HERALD_HISTORY_CONCURRENCY", 8);
  const historyPage = setting(env, "HERALD_HISTORY_PAGE_BYTES", 1024 * 1024);
  const connections = connectionCap(env, input.nofile);
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
      `${connections} connections × ${CONNECTION_BYTES} B`,
      connections * CONNECTION_BYTES,
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

/** The soft open-file limit of `pid` (the server raises it to the hard one at start). */
export function openFileLimit(pid: number): number | null {
  try {
    const limits = Deno.readTextFileSync(`/proc/${pid}/limits`);
    const soft = /^Max open files\s+(\d+)/m.exec(limits)?.[1];
    return soft ? Number(soft) : null;
  } catch {
    return null;
  }
}

/**
 * The /clock island's side of a run: start or resume it over HTTP, and remember this
 * tab's run across a reload (sessionStorage is per tab).
 *
 * @module
 */
import type { ClockRun } from "./types.ts";

const SAVED = "herald:clock-run";

async function post(url: string, body?: unknown): Promise<Response> {
  return await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body ?? {}),
  });
}

async function failure(res: Response): Promise<Error> {
  const body = await res.json().catch(() => null);
  return new Error(body?.error?.message ?? `HTTP ${res.status}`);
}

/** A new run; throws with the server's words when refused (too many clocks, …). */
export async function startRun(duration: number): Promise<ClockRun> {
  const res = await post("/clock/runs", { duration });
  if (res.status !== 201) throw await failure(res);
  return await res.json();
}

/** The run again, or null when the server no longer knows it (it is over). */
export async function resumeRun(run: string): Promise<ClockRun | null> {
  const res = await post(`/clock/runs/${encodeURIComponent(run)}`);
  if (res.status === 404) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) throw await failure(res);
  return await res.json();
}

/** This tab's run, if it had one before a reload. */
export function savedRun(): string | null {
  try {
    return sessionStorage.getItem(SAVED);
  } catch {
    return null; // storage blocked: every load starts a run
  }
}

export function saveRun(run: string): void {
  try {
    sessionStorage.setItem(SAVED, run);
  } catch { /* storage blocked */ }
}

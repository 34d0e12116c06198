/**
 * Starts real Herald processes (the app's `main.ts`) for the multi-process
 * tests. The flight simulator is off so that only the test publishes.
 *
 * @module
 */
import { type RunningServer, startServer } from "../../_support/server.ts";
import { RELAXED_ACCESS_ENV } from "../_helpers.ts";

export const ENTRY = "main.ts";

export function startHerald(
  env: Record<string, string>,
): Promise<RunningServer> {
  return startServer({
    entry: ENTRY,
    readyPath: "/api/health",
    env: {
      ...RELAXED_ACCESS_ENV,
      HERALD_RETRY_MS: "100",
      HERALD_FLIGHTS_SIMULATOR: "off",
      ...env,
    },
  });
}

/** Publishes, retrying a 503 (broker reconnecting) until `timeoutMs`. */
export async function publishWhenUp(
  url: string,
  channel: string,
  data: unknown,
  timeoutMs = 20_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const res = await fetch(`${url}/api/channels/${channel}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ data }),
    });
    const body = await res.json();
    if (res.status === 201) return body.id;
    if (res.status !== 503 || Date.now() > deadline) {
      throw new Error(`publish answered ${res.status} ${JSON.stringify(body)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

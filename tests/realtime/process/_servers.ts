/**
 * Starts Herald processes for the multi-process tests. The entry is the
 * fixture server that mounts the same API handlers as the Fresh routes (the
 * app's main.ts serves them too, but it also compiles every page and island,
 * which other parts change all the time).
 *
 * @module
 */
import { type RunningServer, startServer } from "../../_support/server.ts";
import { RELAXED_ACCESS_ENV } from "../_helpers.ts";

export const ENTRY = "tests/realtime/fixtures/api_server.ts";

export function startHerald(
  env: Record<string, string>,
): Promise<RunningServer> {
  return startServer({
    entry: ENTRY,
    readyPath: "/api/health",
    env: { ...RELAXED_ACCESS_ENV, HERALD_RETRY_MS: "100", ...env },
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

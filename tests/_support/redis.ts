/** Finds the real Redis the tests use: `REDIS_URL`, default 127.0.0.1:6379. */
import { requirement } from "./requirement.ts";

export const REDIS_URL = Deno.env.get("REDIS_URL") ?? "redis://127.0.0.1:6379";

/** Sends PING over a plain TCP connection; true when Redis answers PONG. */
export async function redisAnswers(url = REDIS_URL): Promise<boolean> {
  const { hostname, port } = new URL(url);
  if (new URL(url).protocol !== "redis:") return true; // TLS: let the client try
  try {
    const conn = await Deno.connect({
      hostname: hostname || "127.0.0.1",
      port: Number(port || 6379),
    });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(64);
      const timer = setTimeout(() => conn.close(), 2000);
      const n = await conn.read(buf).catch(() => null);
      clearTimeout(timer);
      const reply = new TextDecoder().decode(buf.subarray(0, n ?? 0));
      return reply.startsWith("+PONG") || reply.includes("NOAUTH");
    } finally {
      try {
        conn.close();
      } catch { /* already closed by the timer */ }
    }
  } catch {
    return false;
  }
}

/** The Redis URL when Redis answers, else null (after a visible skip message; throws under CI). */
export async function requireRedis(): Promise<string | null> {
  const ok = await redisAnswers();
  return requirement(
      ok,
      `Redis at ${REDIS_URL}`,
      "set REDIS_URL or start redis-server",
    )
    ? REDIS_URL
    : null;
}

/** A key prefix unique to one test run, so tests never see each other's data. */
export function uniquePrefix(name: string): string {
  return `herald-test:${name}:${crypto.randomUUID().slice(0, 8)}`;
}

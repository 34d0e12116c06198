/**
 * A private redis-server for tests that stop and restart Redis: a free port,
 * a temp dir, append-only persistence (so history survives a restart), no
 * RDB snapshots. Stop and start it again on the same port and data.
 *
 * @example
 * ```ts
 * if (requireRedisServer()) {
 *   await using redis = await startRedisServer();
 *   // … use redis.url
 *   await redis.stop();
 *   await redis.start(); // same port, same data
 * }
 * ```
 * @module
 */
import { redisAnswers } from "./redis.ts";
import { requirement } from "./requirement.ts";
import { freePort } from "./server.ts";

export const REDIS_SERVER_PATH = Deno.env.get("REDIS_SERVER_PATH") ??
  "/usr/bin/redis-server";

/** True when a redis-server binary is there (skips visibly, or throws under CI, when not). */
export function requireRedisServer(): boolean {
  let found = false;
  try {
    found = Deno.statSync(REDIS_SERVER_PATH).isFile;
  } catch { /* missing */ }
  return requirement(
    found,
    `redis-server at ${REDIS_SERVER_PATH}`,
    "apt-get install redis-server",
  );
}

export interface RedisServer extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Whether the server process runs now. */
  readonly running: boolean;
  /** Starts it (again) on the same port and data dir; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGTERM (Redis flushes the append-only file), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGSTOP: Redis stalls with its connections open (a hung server, not a lost one). */
  pause(): void;
  /** SIGCONT: Redis runs again and answers what waited on its sockets. */
  resume(): void;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "herald-redis-" });
  const url = `redis://127.0.0.1:${port}`;
  let child: Deno.ChildProcess | null = null;
  let paused = false;

  const start = async () => {
    if (child) return;
    child = new Deno.Command(REDIS_SERVER_PATH, {
      args: [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "yes",
        "--dir",
        dir,
        "--logfile",
        "",
        "--loglevel",
        "warning",
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 15_000;
    while (!(await redisAnswers(url))) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not answer on ${url}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const running = child;
    if (!running) return;
    child = null;
    try {
      // A stopped process only acts on SIGTERM once continued.
      if (paused) running.kill("SIGCONT");
      paused = false;
      running.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        running.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 10_000);
    await running.status;
    clearTimeout(timer);
  };

  const dispose = async () => {
    await stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const signal = (sig: "SIGSTOP" | "SIGCONT") => {
    if (!child) throw new Error("redis-server is not running");
    child.kill(sig);
    paused = sig === "SIGSTOP";
  };

  await start();
  return {
    url,
    port,
    dir,
    get running() {
      return child !== null;
    },
    start,
    stop,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}

/**
 * Every core in one process: `HERALD_WORKERS` Web Workers of the entry module on one
 * port (`SO_REUSEPORT`), supervised by the main thread (ARCHITECTURE.md, The
 * composition root).
 *
 * @module
 */

const NAME = "herald-worker-";

type Message = { type: "stop" } | { type: "stopped" };

/** True inside one of the workers {@link startWorkers} started. */
export function inWorker(): boolean {
  return workerIndex() !== null;
}

/** This worker's number (1…count), or null in the primary. */
export function workerIndex(): number | null {
  const name = (globalThis as { name?: unknown }).name;
  if (typeof name !== "string" || !name.startsWith(NAME)) return null;
  return Number(name.slice(NAME.length));
}

export interface WorkerPool {
  /** Asks every worker to stop; resolves once all have (or after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** Resolves when every worker has stopped. */
  readonly finished: Promise<void>;
}

/** Starts `count` workers running `entry` (with this process's permissions). */
export function startWorkers(entry: URL, count: number): WorkerPool {
  let stopping = false;
  const workers = Array.from({ length: count }, (_, i) => {
    const worker = new Worker(entry, {
      type: "module",
      name: `${NAME}${i + 1}`,
    });
    const stopped = new Promise<void>((resolve) => {
      worker.addEventListener("message", (e: MessageEvent<Message>) => {
        if (e.data?.type === "stopped") resolve();
      });
    });
    worker.addEventListener("error", (e) => {
      e.preventDefault();
      console.error(`herald: worker ${i + 1} failed: ${e.message}`);
      if (!stopping) {
        // One dead worker leaves the process half-serving: stop it all.
        void pool.stop().finally(() => Deno.exit(1));
      }
    });
    return { worker, stopped };
  });
  const finished = Promise.all(workers.map((w) => w.stopped)).then(() => {
    for (const { worker } of workers) worker.terminate();
  });
  const pool: WorkerPool = {
    finished,
    async stop(graceMs = 4_000) {
      stopping = true;
      for (const { worker } of workers) {
        worker.postMessage({ type: "stop" } satisfies Message);
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        finished,
        new Promise<void>((r) => timer = setTimeout(r, graceMs)),
      ]);
      clearTimeout(timer);
      for (const { worker } of workers) worker.terminate();
    },
  };
  return pool;
}

/** In a worker: runs `stop` when the primary asks, then reports back. */
export function onStopRequest(stop: () => Promise<void>): void {
  const scope = globalThis as unknown as {
    addEventListener(type: "message", fn: (e: MessageEvent) => void): void;
    postMessage(message: Message): void;
  };
  let started = false;
  scope.addEventListener("message", (e: MessageEvent<Message>) => {
    if (e.data?.type !== "stop" || started) return;
    started = true;
    stop().catch((err) => console.error("herald: stopping:", err))
      .finally(() => scope.postMessage({ type: "stopped" }));
  });
}

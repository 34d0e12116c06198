/**
 * One graceful shutdown for the process: parts register what they must release; the
 * first SIGINT/SIGTERM runs every hook within a grace period, a second exits at once.
 *
 * @module
 */

type Hook = () => unknown;

/** How long the hooks may take before the process exits anyway. */
export const SHUTDOWN_GRACE_MS = 3_000;

const SIGNALS: Deno.Signal[] = Deno.build.os === "windows"
  ? ["SIGINT"]
  : ["SIGINT", "SIGTERM"];

const hooks = new Set<Hook>();
let stopping = false;

/** Runs `hook` on shutdown; the returned function unregisters it. */
export function onShutdown(hook: Hook): () => void {
  if (hooks.size === 0 && !stopping) listen(true);
  hooks.add(hook);
  return () => {
    if (hooks.delete(hook) && hooks.size === 0 && !stopping) listen(false);
  };
}

/** True once a shutdown has begun. */
export function isShuttingDown(): boolean {
  return stopping;
}

/** Runs every hook (bounded by the grace period), then exits with `code`. */
export async function shutdown(code = 0): Promise<never> {
  stopping = true;
  const running = [...hooks].map(async (hook) => {
    try {
      await hook();
    } catch (err) {
      console.error("shutdown:", err);
    }
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const grace = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.warn("shutdown: still busy after the grace period; exiting.");
      resolve();
    }, SHUTDOWN_GRACE_MS);
  });
  await Promise.race([Promise.all(running), grace]);
  clearTimeout(timer);
  Deno.exit(code);
}

function onSignal(): void {
  if (stopping) Deno.exit(130); // a second signal: stop now
  void shutdown(0);
}

function listen(on: boolean): void {
  for (const signal of SIGNALS) {
    if (on) Deno.addSignalListener(signal, onSignal);
    else Deno.removeSignalListener(signal, onSignal);
  }
}

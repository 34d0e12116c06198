/**
 * Starts a Herald (or any Deno) server as a separate process, on a free port,
 * with `Deno.execPath()`, and waits until it answers.
 *
 * @example
 * ```ts
 * await using server = await startServer({ entry: "main.ts", env: { HERALD_BROKER: "memory" } });
 * const res = await fetch(`${server.url}/api/health`);
 * ```
 * @module
 */

export interface ServerOptions {
  /** Script to run, relative to `cwd`. */
  entry: string;
  /** Working directory; default the repository root. */
  cwd?: string;
  /** Extra arguments after the script. */
  args?: string[];
  env?: Record<string, string>;
  /** Port; default a free one. */
  port?: number;
  /** Path to poll until it answers (any status); default `/`. */
  readyPath?: string;
  /** How long to wait for the server, ms; default 60 s (the first run compiles). */
  timeoutMs?: number;
  /** A command the server runs under, e.g. `["prlimit", "--nofile=256:256", "--"]`. */
  wrapper?: string[];
  /** Permission flags; default `["-A"]` (see {@link taskPermissions}). */
  permissions?: string[];
}

export interface RunningServer extends AsyncDisposable {
  url: string;
  port: number;
  process: Deno.ChildProcess;
  /** Everything the server wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
  stop(): Promise<void>;
}

export const REPO_ROOT = new URL("../../", import.meta.url).pathname;

/**
 * The permission flags of a `deno run` task in deno.json (`"preview"`,
 * `"start"`), with the data folder (`./data`) moved to `dataDir`: a test
 * server runs with exactly the permissions the task grants, its KV file
 * in a temp folder.
 */
export function taskPermissions(task: string, dataDir?: string): string[] {
  const config = JSON.parse(Deno.readTextFileSync(`${REPO_ROOT}deno.json`));
  const command: string | undefined = config.tasks?.[task];
  if (!command) throw new Error(`deno.json has no task ${task}`);
  return command.split(/\s+/).filter((arg) => arg.startsWith("--allow-"))
    .map((flag) =>
      dataDir && flag.startsWith("--allow-write=")
        ? flag.replace(/(^--allow-write=|,)\.\/data(?=,|$)/, `$1${dataDir}`)
        : flag
    );
}

let built: Promise<void> | null = null;

/** Runs `deno task build` once per test module, so `main.ts` serves `_fresh/` as `deno task preview` does. */
export function ensureBuild(): Promise<void> {
  built ??= (async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["task", "build"],
      cwd: REPO_ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      built = null;
      throw new Error(
        `deno task build failed:\n${new TextDecoder().decode(out.stderr)}`,
      );
    }
  })();
  return built;
}

/** A TCP port that nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const port = opts.port ?? freePort();
  const wrapper = opts.wrapper ?? [];
  const deno = [
    Deno.execPath(),
    "run",
    ...(opts.permissions ?? ["-A"]),
    opts.entry,
    ...(opts.args ?? []),
  ];
  const process = new Deno.Command(wrapper[0] ?? deno[0], {
    args: [...wrapper.slice(1), ...(wrapper.length ? deno : deno.slice(1))],
    cwd: opts.cwd ?? REPO_ROOT,
    env: { PORT: String(port), NO_COLOR: "1", ...opts.env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      log += decoder.decode(chunk, { stream: true });
    }
  };
  const drained = Promise.all([drain(process.stdout), drain(process.stderr)]);
  const url = `http://127.0.0.1:${port}`;
  let exited = false;
  const status = process.status.then((s) => {
    exited = true;
    return s;
  });

  const stop = async () => {
    if (!exited) {
      try {
        process.kill("SIGTERM");
      } catch { /* already gone */ }
      const timer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch { /* already gone */ }
      }, 5000);
      await status;
      clearTimeout(timer);
    }
    await drained;
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  while (true) {
    if (exited) {
      await drained;
      throw new Error(`server ${opts.entry} exited before answering:\n${log}`);
    }
    try {
      const res = await fetch(url + (opts.readyPath ?? "/"));
      await res.body?.cancel();
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(
          `server ${opts.entry} did not answer on ${url}:\n${log}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    port,
    process,
    output: () => log,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * Starts the Herald app (main.ts) as a separate process for browser tests:
 * Deno KV broker in a temporary file, free port, and a `restart()` that keeps
 * both (history survives, clients reconnect to the same address). Also small
 * page checks the browser tests share.
 *
 * @example
 * ```ts
 * browserTest("the home page fits a phone", async ({ app, page }) => {
 *   await page.goto(app.url + "/");
 *   await assertNoHorizontalOverflow(page);
 * }, { context: { viewport: PHONE_VIEWPORT } });
 * ```
 * @module
 */
import type { Page } from "playwright-core";
import {
  ensureBuild,
  type RunningServer,
  startServer,
  taskPermissions,
} from "./server.ts";

export interface AppOptions {
  /** Extra environment; default: broker `kv` in a temp file, a session secret. */
  env?: Record<string, string>;
  /** Entry script; default `main.ts` (`dev.ts` for the dev server). */
  entry?: string;
  /** A command the server runs under (see {@link startServer}). */
  wrapper?: string[];
}

export interface RunningApp extends AsyncDisposable {
  readonly url: string;
  readonly port: number;
  /** The KV file (history lives here across restarts). */
  readonly kvPath: string;
  /** The current server process's id (for /proc readings). */
  readonly pid: number;
  /** Everything the current process wrote so far. */
  output(): string;
  /** Stops the process, keeps the KV file and port. */
  stopServer(): Promise<void>;
  /** Starts it again on the same port and KV file (after `stopServer`, or stops first). */
  restart(): Promise<void>;
  /** Stops the process and deletes the temp dir. */
  stop(): Promise<void>;
}

export async function startApp(opts: AppOptions = {}): Promise<RunningApp> {
  const dir = await Deno.makeTempDir({ prefix: "herald-app-" });
  const kvPath = `${dir}/herald.kv`;
  const env = {
    HERALD_BROKER: "kv",
    HERALD_KV_PATH: kvPath,
    // A fixed secret, as a real deployment has: sessions survive `restart()`.
    HERALD_SESSION_SECRET: crypto.randomUUID(),
    ...opts.env,
  };
  const entry = opts.entry ?? "main.ts";
  const wrapper = opts.wrapper;
  // The app runs with its task's permissions (`deno task preview` serves a
  // build, `deno task start` is dev.ts), so a test proves they suffice.
  const task = entry === "main.ts" ? "preview" : "start";
  if (task === "preview") await ensureBuild();
  const permissions = taskPermissions(task, dir);
  let server: RunningServer | null = null;
  try {
    server = await startServer({
      entry,
      env,
      wrapper,
      permissions,
      readyPath: "/about",
    });
  } catch (err) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  }
  const port = server.port;
  let running = true;

  const stopServer = async () => {
    if (running && server) {
      running = false;
      await server.stop();
    }
  };
  const restart = async () => {
    await stopServer();
    server = await startServer({
      entry,
      env,
      wrapper,
      permissions,
      port,
      readyPath: "/about",
    });
    running = true;
  };
  const stop = async () => {
    await stopServer();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return {
    url: server.url,
    port,
    kvPath,
    get pid() {
      return server!.process.pid;
    },
    output: () => server?.output() ?? "",
    stopServer,
    restart,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}

/** A small phone's viewport: pages must not scroll sideways in it. */
export const PHONE_VIEWPORT = { width: 375, height: 740 } as const;

/** Throws when the page is wider than its viewport (something overflows sideways). */
export async function assertNoHorizontalOverflow(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    culprits: [...document.querySelectorAll("body *")]
      .filter((el) =>
        el.getBoundingClientRect().right >
          document.documentElement.clientWidth + 1
      )
      .slice(0, 5)
      .map((el) => el.outerHTML.slice(0, 120)),
  }));
  if (widths.scroll > widths.client) {
    throw new Error(
      `page ${page.url()} is ${widths.scroll}px wide in a ${widths.client}px viewport; overflowing: ${
        widths.culprits.join(" | ")
      }`,
    );
  }
}

/** Waits until `check` is true (a hang guard, not a timing assertion). */
export { waitFor as eventually } from "./wait.ts";

/** A visitor's page session: the cookie (`name=value`) any page of the app sets. */
export async function sessionCookie(url: string): Promise<string> {
  const res = await fetch(`${url}/about`);
  await res.body?.cancel();
  const cookie = res.headers.get("set-cookie")?.split(";")[0] ?? "";
  if (!cookie.startsWith("herald_session=")) {
    throw new Error(`GET /about set no session cookie (${res.status})`);
  }
  return cookie;
}

/** Publishes an info notification through the HTTP API, as a backend would. */
export async function publishNotification(
  url: string,
  message: string,
): Promise<void> {
  const res = await fetch(`${url}/api/channels/notifications/messages`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ data: { message, kind: "info" } }),
  });
  await res.body?.cancel();
  if (res.status !== 201) throw new Error(`publish: HTTP ${res.status}`);
}

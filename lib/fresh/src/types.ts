/**
 * Types shared by the server and build sides of lib/fresh, under Fresh 1.x's names;
 * `$fresh/server.ts` re-exports the public ones.
 *
 * @module
 */

import type { BodyLimits } from "./server/body_limit.ts";
import type { ConnectionLimits } from "./server/listener.ts";

/** The generated `fresh.gen.ts` default export (same shape as Fresh 1.x). */
export interface Manifest {
  /** Keyed by path relative to the project, e.g. `"./routes/index.tsx"`. */
  routes: Record<string, Record<string, unknown>>;
  /** Keyed by path relative to the project, e.g. `"./islands/Counter.tsx"`. */
  islands: Record<string, Record<string, unknown>>;
  /** `import.meta.url` of fresh.gen.ts: the project root is its folder. */
  baseUrl: string;
}

/** A Fresh 1.x plugin (the subset Herald uses). */
export interface Plugin {
  name: string;
  /** Called once the config is resolved, before serving or building. */
  configResolved?: (config: ResolvedFreshConfig) => void | Promise<void>;
  /** Called by `build`, after bundling, to write extra files into `config.build.outDir`. */
  buildStart?: (config: ResolvedFreshConfig) => void | Promise<void>;
  buildEnd?: () => void | Promise<void>;
  /** Middlewares mounted at `path` (a route pattern such as `/` or `/styles.css`). */
  middlewares?: PluginMiddleware[];
  /** Extra routes, e.g. `{ path: "/styles.css", handler }`. */
  routes?: PluginRoute[];
}

export interface PluginMiddleware {
  path: string;
  middleware: {
    handler: (req: Request, ctx: PluginContext) => Response | Promise<Response>;
  };
}

export interface PluginRoute {
  path: string;
  handler: (req: Request, ctx: PluginContext) => Response | Promise<Response>;
}

/** The part of the request context that plugins can count on. */
export interface PluginContext {
  next: () => Promise<Response>;
  params: Record<string, string>;
  /** The matched route pattern, e.g. `/blog/:slug` ("" when none matched). */
  route?: string;
  state: Record<string, unknown>;
  config: ResolvedFreshConfig;
}

/** What `fresh.config.ts` exports through `defineConfig`. */
export interface FreshConfig {
  plugins?: Plugin[];
  build?: { outDir?: string; target?: string | string[] };
  staticDir?: string;
  server?: {
    port?: number;
    hostname?: string;
    onListen?: (addr: Deno.NetAddr) => void;
    /** Aborting it stops the server: no new connections, `start()` resolves once open requests end. */
    signal?: AbortSignal;
    /** `SO_REUSEPORT`: several listeners (workers, processes) share the port and the kernel spreads connections. */
    reusePort?: boolean;
    /** Open connections per process and per address, header and idle timeouts (see listener.ts). */
    connections?: ConnectionLimits;
    /** Request bodies: size limit (413), per request if a function, and wait limit (408). */
    body?: {
      maxBytes?: number | ((req: Request, url: URL) => number);
      timeoutMs?: number;
    };
  };
  router?: { trailingSlash?: boolean };
  /**
   * The app's answer for an error: one thrown by a handler or middleware, or
   * the router's own (a 405 `HttpError`). Return null for the default: an
   * `HttpError` below 500 as plain text, anything else the `_500` page.
   */
  onError?: ErrorHook;
}

export type ErrorHook = (
  err: unknown,
  req: Request,
) => Response | null | Promise<Response | null>;

export interface ResolvedFreshConfig {
  /** Absolute path of the project root. */
  root: string;
  plugins: Plugin[];
  build: { outDir: string; target: string | string[] };
  staticDir: string;
  server: {
    port: number;
    hostname: string;
    onListen?: (addr: Deno.NetAddr) => void;
    signal?: AbortSignal;
    reusePort: boolean;
    connections: ConnectionLimits;
    body: BodyLimits;
  };
  router: { trailingSlash: boolean };
  onError?: ErrorHook;
  /** True under `dev()` (deno task start): bundles on request, live reload. */
  dev: boolean;
}

/**
 * The browser bundles: either built on request (dev), loaded from
 * `_fresh/` (after `deno task build`), or built in memory at startup.
 * Served under `/_frsh/js/{buildId}/{path}`.
 */
export interface BuildSnapshot {
  readonly buildId: string;
  /** Bytes of one bundle file, or null. `path` is relative, e.g. `"island-counter.js"`. */
  read(path: string): Promise<Uint8Array | null>;
  /** The entry file of an island, by manifest key (`"./islands/Counter.tsx"`). */
  islandEntry(islandKey: string): string;
  /** The entry file of the hydration runtime (`lib/fresh/src/runtime/client/main.ts`). */
  readonly runtimeEntry: string;
  /** Files that `path` imports statically, for `<link rel="modulepreload">`. */
  dependencies(path: string): string[];
}

/**
 * `createHandler(manifest, config)`: the whole request pipeline as one
 * `(req, connInfo?) => Promise<Response>` (order: ARCHITECTURE.md, lib/fresh).
 *
 * @module
 */
import { join } from "node:path";
import { HttpError, plainErrorResponse } from "./http_error.ts";
import { setBuildId } from "../runtime/asset.ts";
import { resolveConfig } from "../build/config.ts";
import {
  LIVE_RELOAD_SCRIPT_URL,
  liveReloadRoutes,
} from "../build/live_reload.ts";
import { loadBuildSnapshot } from "../build/snapshot.ts";
import type {
  BuildSnapshot,
  FreshConfig,
  Manifest,
  ResolvedFreshConfig,
} from "../types.ts";
import { guardBodies } from "./body_limit.ts";
import {
  describeServerError,
  errorOverlayRoute,
  overlayDocument,
  overlayFrame,
} from "./error_overlay.ts";
import { BUNDLE_PREFIX, serveBundle } from "./bundles.ts";
import { createContext } from "./context.ts";
import { DefaultError, DefaultNotFound } from "./default_pages.ts";
import { registerIslands } from "./render/islands.ts";
import { renderPage } from "./render/page.ts";
import {
  buildRouteTable,
  matchRoute,
  middlewaresFor,
  type Route,
  type RouteTable,
} from "./route_table.ts";
import { StaticFiles } from "./static_files.ts";
import type {
  Destination,
  FreshContext,
  Handler,
  Handlers,
  PageComponent,
  RenderOptions,
  ServeHandler,
} from "./types.ts";

/** Options for embedding and tests; apps pass only `manifest` and `config`. */
export interface HandlerOptions {
  /** Dev mode (bundles in memory, live reload); default from `__FRSH_DEV`. */
  dev?: boolean;
  /** Use these bundles instead of loading the build snapshot. */
  snapshot?: BuildSnapshot;
}

/** A handler and the config it resolved (what `start()` needs). */
export interface FreshApp {
  handler: ServeHandler;
  config: ResolvedFreshConfig;
  snapshot: BuildSnapshot;
}

/** Builds the request handler of an app. */
export async function createHandler(
  manifest: Manifest,
  config: FreshConfig = {},
  options: HandlerOptions = {},
): Promise<ServeHandler> {
  return (await createApp(manifest, config, options)).handler;
}

export async function createApp(
  manifest: Manifest,
  config: FreshConfig = {},
  options: HandlerOptions = {},
): Promise<FreshApp> {
  const resolved = resolveConfig(manifest.baseUrl, config, {
    dev: options.dev,
  });
  for (const plugin of resolved.plugins) {
    await plugin.configResolved?.(resolved);
  }
  const table = buildRouteTable(manifest, resolved.plugins);
  registerIslands(manifest);
  const snapshot = options.snapshot ??
    await loadBuildSnapshot(manifest, resolved);
  setBuildId(snapshot.buildId);
  const app = new Router(table, resolved, snapshot);
  return {
    // Every body is bounded before any middleware or route can read it.
    handler: guardBodies(
      (req, connInfo?: Deno.ServeHandlerInfo) => app.handle(req, connInfo),
      resolved.server.body,
    ),
    config: resolved,
    snapshot,
  };
}

class Router {
  readonly #statics: StaticFiles;
  readonly #internal: Route[];
  readonly #extraScripts: string[];

  constructor(
    readonly table: RouteTable,
    readonly config: ResolvedFreshConfig,
    readonly snapshot: BuildSnapshot,
  ) {
    this.#statics = new StaticFiles(
      [join(config.build.outDir, "static"), config.staticDir],
      config.dev,
    );
    // Production has none of these: `/_frsh/alive` is a 404 there.
    const dev = config.dev
      ? [...liveReloadRoutes(config), errorOverlayRoute]
      : [];
    this.#internal = buildRouteTable({ routes: {}, islands: {}, baseUrl: "" }, [
      { name: "dev", routes: dev },
    ]).routes;
    this.#extraScripts = config.dev ? [LIVE_RELOAD_SCRIPT_URL] : [];
  }

  async handle(
    req: Request,
    connInfo?: Deno.ServeHandlerInfo,
  ): Promise<Response> {
    const url = new URL(req.url);
    const redirect = trailingSlashRedirect(
      url,
      this.config.router.trailingSlash,
    );
    if (redirect) return redirect;
    const pathname = url.pathname.length > 1
      ? url.pathname.replace(/\/+$/, "") || "/"
      : url.pathname;

    let destination: Destination = "notFound";
    let route: Route | null = null;
    let params: Record<string, string> = {};
    let arrive: (ctx: FreshContext) => Promise<Response>;
    const isRead = req.method === "GET" || req.method === "HEAD";
    const internal = pathname.startsWith("/_frsh/")
      ? matchRoute(this.#internal, pathname)
      : null;
    const file = !internal && isRead && !pathname.startsWith(BUNDLE_PREFIX)
      ? await this.#statics.find(url.pathname)
      : null;
    const match = !internal && !file && !pathname.startsWith(BUNDLE_PREFIX)
      ? matchRoute(this.table.routes, pathname)
      : null;

    if (pathname.startsWith(BUNDLE_PREFIX) || internal) {
      destination = "internal";
      arrive = async (ctx) =>
        internal
          ? await this.#runRoute(internal.route, req, ctx)
          : await serveBundle(this.snapshot, req, pathname) ??
            await this.#notFound(req, ctx);
    } else if (file) {
      destination = "static";
      arrive = () => this.#statics.respond(req, file);
    } else if (match) {
      destination = "route";
      route = match.route;
      params = match.params;
      arrive = (ctx) => this.#runRoute(match.route, req, ctx);
    } else {
      arrive = (ctx) => this.#notFound(req, ctx);
    }

    const ctx: FreshContext = createContext({
      url,
      route: route?.pattern ?? "",
      params,
      destination,
      config: this.config,
      connInfo,
      render: (data, options) => {
        if (!route?.component) {
          throw new Error(
            `${req.method} ${url.pathname}: this route has no page component to render`,
          );
        }
        return this.#render(route, req, ctx, data, options);
      },
      renderNotFound: (data) => this.#renderNotFound(req, ctx, data),
    });

    const chain = middlewaresFor(this.table, pathname, route);
    let next = 0;
    let arrived = false;
    ctx.next = async () => {
      if (next < chain.length) return await chain[next++](req, ctx);
      // The destination itself calling ctx.next(): nothing is left but 404.
      const target = arrived
        ? (c: FreshContext) => this.#notFound(req, c)
        : arrive;
      arrived = true;
      try {
        return await target(ctx);
      } catch (err) {
        return await this.#errorAnswer(req, ctx, err);
      }
    };
    try {
      return await ctx.next();
    } catch (err) {
      return await this.#errorAnswer(req, ctx, err);
    }
  }

  /** Runs a route's handler (function or per method) or renders its page. */
  async #runRoute(
    route: Route,
    req: Request,
    ctx: FreshContext,
  ): Promise<Response> {
    const handler = route.handler;
    if (typeof handler === "function") {
      return await (handler as Handler)(req, ctx);
    }
    const methods: Record<string, Handler | undefined> = {
      ...(route.component ? { GET: (_req, c) => c.render() } : {}),
      ...(handler as Handlers | undefined),
    };
    const own = methods[req.method];
    if (own) return await own(req, ctx);
    if (req.method === "HEAD" && methods.GET) {
      const res = await methods.GET(req, ctx);
      await res.body?.cancel();
      return new Response(null, res);
    }
    const allow = Object.keys(methods).filter((m) => methods[m]);
    if (allow.includes("GET") && !allow.includes("HEAD")) allow.push("HEAD");
    return await this.#errorAnswer(
      req,
      ctx,
      new HttpError(
        405,
        "method_not_allowed",
        `${req.method} is not allowed here; use ${allow.join(", ")}`,
        { allow: allow.join(", ") },
      ),
    );
  }

  #render(
    route: Route,
    req: Request,
    ctx: FreshContext,
    data: unknown,
    options?: RenderOptions,
    error?: unknown,
    bodyEnd?: string,
  ): Promise<Response> {
    const components: PageComponent[] = [
      route.component!,
      ...route.layouts.map((l) => l.component).reverse(),
    ];
    if (route.withApp && this.table.app) {
      components.push(this.table.app as PageComponent);
    }
    return renderPage({
      req,
      ctx,
      components,
      data,
      error,
      snapshot: this.snapshot,
      extraScripts: this.#extraScripts,
      bodyEnd,
      options,
    });
  }

  #notFoundRoute(): Route {
    return this.table.notFound ?? defaultRoute(DefaultNotFound);
  }

  #renderNotFound(
    req: Request,
    ctx: FreshContext,
    data?: unknown,
  ): Promise<Response> {
    return this.#render(this.#notFoundRoute(), req, ctx, data, { status: 404 });
  }

  /** `_404`: its handler if it has one (its `ctx.render` answers 404), else the page. */
  async #notFound(req: Request, ctx: FreshContext): Promise<Response> {
    const route = this.#notFoundRoute();
    if (!route.handler) return await this.#renderNotFound(req, ctx);
    const notFoundCtx: FreshContext = {
      ...ctx,
      render: (data, options) =>
        this.#render(route, req, notFoundCtx, data, {
          status: 404,
          ...options,
        }),
    };
    return await this.#runRoute(route, req, notFoundCtx);
  }

  async #errorAnswer(
    req: Request,
    ctx: FreshContext,
    err: unknown,
  ): Promise<Response> {
    const clientError = err instanceof HttpError && err.status < 500;
    if (!clientError) {
      // The path only: the query string may hold a token.
      console.error(
        `Error handling ${req.method} ${new URL(req.url).pathname}:`,
        err,
      );
    }
    try {
      const own = await this.config.onError?.(err, req);
      if (own) return own;
    } catch (hookErr) {
      console.error("Error in config.onError:", hookErr);
    }
    if (clientError) return plainErrorResponse(err as HttpError);
    // Dev: the `_500` page with the error overlay over it.
    const overlay = this.config.dev
      ? await describeServerError(
        err,
        `${req.method} ${new URL(req.url).pathname} failed`,
        this.config.root,
      )
      : null;
    try {
      const route = this.table.error ?? defaultRoute(DefaultError);
      return await this.#render(
        route,
        req,
        { ...ctx, error: err },
        undefined,
        { status: 500 },
        err,
        overlay ? overlayFrame(overlay) : undefined,
      );
    } catch (renderErr) {
      console.error("Error rendering the 500 page:", renderErr);
      return overlay
        ? new Response(overlayDocument(overlay), {
          status: 500,
          headers: { "content-type": "text/html; charset=utf-8" },
        })
        : new Response("Internal Server Error", {
          status: 500,
          headers: { "content-type": "text/plain; charset=utf-8" },
        });
    }
  }
}

function defaultRoute(component: PageComponent): Route {
  return {
    pattern: "",
    matcher: new URLPattern({ pathname: "/" }),
    dir: "",
    component,
    config: {},
    layouts: [],
    withApp: false,
  };
}

/** Fresh's default: `/about/` → `/about` (308); with `trailingSlash`, the other way. */
function trailingSlashRedirect(
  url: URL,
  trailingSlash: boolean,
): Response | null {
  const path = url.pathname;
  let target: string | null = null;
  if (!trailingSlash && path.length > 1 && path.endsWith("/")) {
    target = path.replace(/\/+$/, "") || "/";
  } else if (
    trailingSlash && !path.endsWith("/") && !path.startsWith("/_frsh/") &&
    !/\.[^/]*$/.test(path)
  ) {
    target = path + "/";
  }
  if (target === null) return null;
  // A relative Location: the request's Host is the client's word, never
  // echoed. Leading slashes collapse, so "//x/" cannot become "//x", a
  // network path to a browser.
  const location = "/" + target.replace(/^[\/\\]+/, "") + url.search;
  return new Response(null, { status: 308, headers: { location } });
}

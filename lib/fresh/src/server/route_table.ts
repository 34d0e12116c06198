/**
 * Reads a {@link Manifest} into what the router needs: routes in match order,
 * middlewares and layouts per folder, `_app`, `_404`, `_500`.
 *
 * @module
 */
import type { ComponentType } from "preact";
import type { Manifest, Plugin } from "../types.ts";
import { comparePatterns, routePattern } from "./route_path.ts";
import { pathMatcher, scopeTest } from "./path_match.ts";
import type {
  Handler,
  Handlers,
  MiddlewareHandler,
  PageComponent,
  RouteConfig,
} from "./types.ts";

/** What a route module may export. */
export interface RouteModule {
  default?: PageComponent;
  handler?: Handler | Handlers;
  config?: RouteConfig;
}

export interface Route {
  /** URLPattern pathname syntax, e.g. `/blog/:slug`. */
  pattern: string;
  matcher: URLPattern;
  /** Folder of the route file under `routes/`, e.g. `blog` or `(group)/x`; "" at the top. */
  dir: string;
  component?: PageComponent;
  handler?: Handler | Handlers;
  config: RouteConfig;
  /** Layouts that wrap the page, outer first. */
  layouts: Layout[];
  /** Whether `_app` wraps the page. */
  withApp: boolean;
}

export interface Layout {
  dir: string;
  component: PageComponent;
  config: RouteConfig;
}

export interface Middleware {
  /** A file middleware's folder (null for a plugin's). */
  dir: string | null;
  /** Matches the URLs the middleware applies to (used outside file routes). */
  scope: URLPattern;
  handlers: MiddlewareHandler[];
}

export interface RouteTable {
  routes: Route[];
  middlewares: Middleware[];
  app?: ComponentType | PageComponent;
  notFound?: Route;
  error?: Route;
}

const ROUTE_PREFIX = "./routes/";

/** `a/b` is inside `a` and inside ""; `ab` is not inside `a`. */
export function isInside(dir: string, ancestor: string): boolean {
  return ancestor === "" || dir === ancestor || dir.startsWith(ancestor + "/");
}

function dirOf(file: string): string {
  const slash = file.lastIndexOf("/");
  return slash === -1 ? "" : file.slice(0, slash);
}

/** URLs under a folder: the folder's own pattern and everything below it. */
function scopePattern(prefix: string): URLPattern {
  const base = prefix === "/" ? "" : prefix.replace(/\/$/, "");
  return new URLPattern({ pathname: `${base}{/*}?` });
}

export function buildRouteTable(
  manifest: Manifest,
  plugins: Plugin[] = [],
): RouteTable {
  const table: RouteTable = { routes: [], middlewares: [] };
  const layouts: Layout[] = [];
  const pending: Omit<Route, "layouts" | "withApp">[] = [];

  for (const middleware of plugins.flatMap((p) => p.middlewares ?? [])) {
    table.middlewares.push({
      dir: null,
      scope: scopePattern(routePattern(middleware.path.replace(/^\//, ""))),
      handlers: [middleware.middleware.handler as MiddlewareHandler],
    });
  }
  const fileMiddlewares: Middleware[] = [];

  for (const [key, mod] of Object.entries(manifest.routes)) {
    if (!key.startsWith(ROUTE_PREFIX)) continue;
    const file = key.slice(ROUTE_PREFIX.length).replace(/\.[jt]sx?$/, "");
    const module = mod as RouteModule & { handler?: unknown };
    const name = file.slice(file.lastIndexOf("/") + 1);
    const dir = dirOf(file);
    const config = module.config ?? {};
    if (name === "_app") {
      table.app = module.default;
    } else if (name === "_layout" && module.default) {
      layouts.push({ dir, component: module.default, config });
    } else if (name === "_middleware") {
      const handler = module.handler as MiddlewareHandler | MiddlewareHandler[];
      fileMiddlewares.push({
        dir,
        scope: scopePattern(routePattern(dir)),
        handlers: Array.isArray(handler) ? handler : handler ? [handler] : [],
      });
    } else if (name === "_404" || name === "_500") {
      const route = { ...routeOf("/", dir, module, config) };
      if (name === "_404") table.notFound = withLayouts(route);
      else table.error = withLayouts(route);
    } else if (!name.startsWith("_")) {
      const pattern = config.routeOverride ?? routePattern(file);
      pending.push(routeOf(pattern, dir, module, config));
    }
  }
  for (const route of plugins.flatMap((p) => p.routes ?? [])) {
    const pattern = route.path.includes("[")
      ? routePattern(route.path.replace(/^\//, ""))
      : route.path;
    pending.push(
      routeOf(pattern, "", { handler: route.handler as Handler }, {}),
    );
  }

  function withLayouts(route: Omit<Route, "layouts" | "withApp">): Route {
    const chain: Layout[] = [];
    if (!route.config.skipInheritedLayouts) {
      const own = layouts
        .filter((l) => isInside(route.dir, l.dir))
        .sort((a, b) => a.dir.length - b.dir.length);
      for (let i = own.length - 1; i >= 0; i--) {
        chain.unshift(own[i]);
        if (own[i].config.skipInheritedLayouts) break;
      }
    }
    const skipApp = route.config.skipAppWrapper ||
      chain.some((l) => l.config.skipAppWrapper);
    return { ...route, layouts: chain, withApp: !skipApp };
  }

  // Layouts are collected in manifest order: finish the routes afterwards.
  table.routes = pending.map(withLayouts).sort((a, b) =>
    comparePatterns(a.pattern, b.pattern)
  );
  if (table.notFound) table.notFound = withLayouts(table.notFound);
  if (table.error) table.error = withLayouts(table.error);
  fileMiddlewares.sort((a, b) => a.dir!.length - b.dir!.length);
  table.middlewares.push(...fileMiddlewares);
  return table;
}

function routeOf(
  pattern: string,
  dir: string,
  module: RouteModule,
  config: RouteConfig,
): Omit<Route, "layouts" | "withApp"> {
  return {
    pattern,
    matcher: new URLPattern({ pathname: pattern }),
    dir,
    component: module.default,
    handler: module.handler,
    config,
  };
}

const prefixes = new WeakMap<URLPattern, string>();

/**
 * Text every pathname the pattern matches starts with: its (canonical)
 * pathname up to the first param, group, wildcard or escape, less a slash an
 * optional param may take along. A `startsWith` on it skips most routes
 * before their matcher runs (path_match.ts).
 */
export function literalPrefix(pattern: URLPattern): string {
  let prefix = prefixes.get(pattern);
  if (prefix !== undefined) return prefix;
  const source = pattern.pathname;
  const at = source.search(/[:*({\\]/);
  prefix = at < 0 ? source : source.slice(0, at);
  if (at >= 0 && source[at] !== "{" && prefix.endsWith("/")) {
    prefix = prefix.slice(0, -1);
  }
  prefixes.set(pattern, prefix);
  return prefix;
}

/** The first route whose pattern matches `pathname`, with its params. */
export function matchRoute(
  routes: Route[],
  pathname: string,
): { route: Route; params: Record<string, string> } | null {
  for (const route of routes) {
    if (!pathname.startsWith(literalPrefix(route.matcher))) continue;
    const groups = pathMatcher(route.matcher)(pathname);
    if (!groups) continue;
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(groups)) {
      params[name] = safeDecode(value);
    }
    return { route, params };
  }
  return null;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The middlewares for a request: plugins' by URL, files' by route folder (or by URL when no route matched). */
export function middlewaresFor(
  table: RouteTable,
  pathname: string,
  route: Route | null,
): MiddlewareHandler[] {
  return table.middlewares.filter((m) => {
    if (m.dir === null || !route) {
      if (m.dir !== null && /(^|\/)\(/.test(m.dir)) return false; // group-only
      return pathname.startsWith(literalPrefix(m.scope)) &&
        scopeTest(m.scope)(pathname);
    }
    return isInside(route.dir, m.dir);
  }).flatMap((m) => m.handlers);
}

/**
 * The public types of `$fresh/server.ts`, with Fresh 1.x names and shapes
 * (the subset Herald uses).
 *
 * @module
 */
import type { ComponentChildren, ComponentType, VNode } from "preact";
import type { FreshConfig, ResolvedFreshConfig } from "../types.ts";

export type {
  ErrorHook,
  FreshConfig,
  Manifest,
  Plugin,
  PluginMiddleware,
  PluginRoute,
  ResolvedFreshConfig,
} from "../types.ts";

/** Where a request is going, as seen by middleware. */
export type Destination = "internal" | "static" | "route" | "notFound";

/** What `ctx.render()` accepts besides the data. */
export interface RenderOptions {
  status?: number;
  statusText?: string;
  headers?: HeadersInit;
}

/** The request context that handlers, middleware and async pages receive. */
export interface FreshContext<State = Record<string, unknown>, Data = unknown> {
  /** The full request URL. */
  url: URL;
  /** The matched route pattern, e.g. `/blog/:slug`. */
  route: string;
  params: Record<string, string>;
  /** Shared by every middleware and the handler of one request. */
  state: State;
  /** The data given to `ctx.render(data)` (async pages and layouts). */
  data: Data;
  /** The caller's address (from the server's connection info). */
  remoteAddr: Deno.NetAddr;
  destination: Destination;
  isPartial: false;
  basePath: string;
  config: ResolvedFreshConfig;
  /** The error, when rendering the `_500` page. */
  error?: unknown;
  /** The wrapped component, inside `_app` and `_layout`. */
  Component: ComponentType;
  /** Renders the route's page component with `props.data = data`. */
  render(data?: Data, options?: RenderOptions): Promise<Response>;
  /** Renders the `_404` page with status 404. */
  renderNotFound(data?: Data): Promise<Response>;
  /** Runs the next middleware, or the route itself. */
  next(): Promise<Response>;
}

/** Fresh 1.x alias of {@link FreshContext}. */
export type HandlerContext<Data = unknown, State = Record<string, unknown>> =
  FreshContext<State, Data>;
/** Fresh 1.x alias of {@link FreshContext}. */
export type MiddlewareHandlerContext<State = Record<string, unknown>> =
  FreshContext<State>;

export type Handler<Data = unknown, State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State, Data>,
) => Response | Promise<Response>;

/** A route's `handler` export: one function, or one per method. */
export type Handlers<Data = unknown, State = Record<string, unknown>> = {
  [method in KnownMethod]?: Handler<Data, State>;
};

export type KnownMethod =
  | "GET"
  | "HEAD"
  | "POST"
  | "PUT"
  | "DELETE"
  | "OPTIONS"
  | "PATCH";

export type MiddlewareHandler<State = Record<string, unknown>> = (
  req: Request,
  ctx: FreshContext<State>,
) => Response | Promise<Response>;

/** The props of a page component. */
export interface PageProps<Data = unknown, State = Record<string, unknown>> {
  url: URL;
  route: string;
  params: Record<string, string>;
  data: Data;
  state: State;
  isPartial: false;
  /** The error, on the `_500` page. */
  error?: unknown;
}

/** The props of `_app.tsx`. */
export interface AppProps<Data = unknown, State = Record<string, unknown>>
  extends PageProps<Data, State> {
  Component: ComponentType;
}

/** The props of `_layout.tsx`. */
export type LayoutProps<Data = unknown, State = Record<string, unknown>> =
  AppProps<Data, State>;

/** The props of `_500.tsx`. */
export interface ErrorPageProps extends PageProps {
  error: unknown;
}

/** The props of `_404.tsx`. */
export type UnknownPageProps<
  Data = undefined,
  State = Record<string, unknown>,
> = PageProps<Data, State>;

/** `export const config: RouteConfig` of a route, layout or `_app`. */
export interface RouteConfig {
  /** A URL pattern used instead of the one derived from the file name. */
  routeOverride?: string;
  /** Render without `_app.tsx`. */
  skipAppWrapper?: boolean;
  /** Ignore the `_layout.tsx` files of the parent folders. */
  skipInheritedLayouts?: boolean;
}

/** A page component: plain, or async `(req, ctx)` as Fresh 1.x allows. */
export type PageComponent =
  | ComponentType<PageProps>
  | ((
    req: Request,
    ctx: FreshContext,
  ) => Promise<VNode | ComponentChildren | Response>);

/** The `(req, connInfo?) => Promise<Response>` that `createHandler` returns. */
export type ServeHandler = (
  req: Request,
  connInfo?: Deno.ServeHandlerInfo,
) => Promise<Response>;

/** Returns `config` (type help for `fresh.config.ts`). */
export function defineConfig(config: FreshConfig): FreshConfig {
  return config;
}

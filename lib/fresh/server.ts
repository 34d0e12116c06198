/**
 * `$fresh/server.ts`: the server API of Fresh 1.x that Herald uses.
 *
 * @module
 */
export { start } from "./src/server/start.ts";
export { resolveLimits } from "./src/server/listener.ts";
export { createHandler, type HandlerOptions } from "./src/server/handler.ts";
export { defineConfig } from "./src/server/types.ts";
export { HttpError } from "./src/server/http_error.ts";
export type {
  AppProps,
  Destination,
  ErrorHook,
  ErrorPageProps,
  FreshConfig,
  FreshContext,
  Handler,
  HandlerContext,
  Handlers,
  LayoutProps,
  Manifest,
  MiddlewareHandler,
  MiddlewareHandlerContext,
  PageProps,
  Plugin,
  PluginMiddleware,
  PluginRoute,
  RenderOptions,
  ResolvedFreshConfig,
  RouteConfig,
  ServeHandler,
  UnknownPageProps,
} from "./src/server/types.ts";

/**
 * `$fresh/server.ts`: the server API of Fresh 1.x that Herald uses.
 *
 * @example
 * ```ts
 * import { type Handlers, type PageProps, start } from "$fresh/server.ts";
 * export const handler: Handlers<{ name: string }> = {
 *   GET: (_req, ctx) => ctx.render({ name: ctx.params.name }),
 * };
 * export default function Hello({ data }: PageProps<{ name: string }>) {
 *   return <p>Hello {data.name}</p>;
 * }
 * ```
 * @module
 */
export { start } from "./src/server/start.ts";
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

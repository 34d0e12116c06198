/**
 * The per-request {@link FreshContext}: one object shared by every middleware and the
 * handler, so `ctx.state` set outside is seen inside.
 *
 * @module
 */
import type { ResolvedFreshConfig } from "../types.ts";
import type { Destination, FreshContext, RenderOptions } from "./types.ts";

export interface ContextInit {
  url: URL;
  route: string;
  params: Record<string, string>;
  destination: Destination;
  config: ResolvedFreshConfig;
  connInfo?: Deno.ServeHandlerInfo;
  render: (data?: unknown, options?: RenderOptions) => Promise<Response>;
  renderNotFound: (data?: unknown) => Promise<Response>;
}

const UNKNOWN_ADDR: Deno.NetAddr = {
  transport: "tcp",
  hostname: "0.0.0.0",
  port: 0,
};

export function createContext(init: ContextInit): FreshContext {
  return {
    url: init.url,
    route: init.route,
    params: init.params,
    state: {},
    data: undefined,
    remoteAddr: (init.connInfo?.remoteAddr as Deno.NetAddr | undefined) ??
      UNKNOWN_ADDR,
    destination: init.destination,
    isPartial: false,
    basePath: "",
    config: init.config,
    Component: () => null,
    render: init.render,
    renderNotFound: init.renderNotFound,
    next: () => Promise.reject(new Error("ctx.next() is set by the router")),
  };
}

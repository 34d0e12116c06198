/**
 * Renders a page: `_app` around the layouts around the page (async components awaited
 * first), islands marked and `<Head>` collected, into a full document.
 *
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  Fragment,
  h,
  type VNode,
} from "preact";
import { renderToString } from "preact-render-to-string";
import { HeadContext } from "../../runtime/head.ts";
import type { BuildSnapshot } from "../../types.ts";
import type {
  FreshContext,
  PageComponent,
  PageProps,
  RenderOptions,
} from "../types.ts";
import { islandScripts } from "./boot_script.ts";
import { htmlDocument } from "./document.ts";
import { escapeHtml } from "./escape_html.ts";
import { mergeHeadNodes } from "./head_nodes.ts";
import { type IslandRender, IslandRenderContext } from "./islands.ts";

export interface PageRender {
  req: Request;
  ctx: FreshContext;
  /** Innermost first: the page, then its layouts, then `_app`. */
  components: PageComponent[];
  data: unknown;
  error?: unknown;
  snapshot: BuildSnapshot;
  /**
   * Module scripts every page gets (the dev client), before the islands'
   * boot script: module scripts run in order, so the dev client listens
   * before any island hydrates.
   */
  extraScripts: string[];
  /** HTML for the end of `<body>` (dev's error overlay). */
  bodyEnd?: string;
  options?: RenderOptions;
}

const AsyncFunction = (async () => {}).constructor;

/** The rendered page, or the Response an async component returned instead. */
export async function renderPage(page: PageRender): Promise<Response> {
  const props: PageProps & { Component?: ComponentType } = {
    url: page.ctx.url,
    route: page.ctx.route,
    params: page.ctx.params,
    data: page.data,
    state: page.ctx.state,
    isPartial: false,
    ...(page.error !== undefined ? { error: page.error } : {}),
  };
  let inner: VNode | null = null;
  for (const component of page.components) {
    const child = inner;
    const Component = () => child;
    const ownProps: PageProps & { Component?: ComponentType } = inner
      ? { ...props, Component }
      : props;
    if (component instanceof AsyncFunction) {
      const ctx = {
        ...page.ctx,
        data: page.data,
        Component,
        error: page.error,
      };
      const result = await (component as (
        req: Request,
        ctx: FreshContext,
      ) => Promise<ComponentChildren | Response>)(page.req, ctx);
      if (result instanceof Response) return result;
      inner = h(Fragment, null, result);
    } else {
      inner = h(component as ComponentType<typeof ownProps>, ownProps) as VNode;
    }
  }

  const islands: IslandRender = { props: [], used: new Set() };
  const headNodes: ComponentChildren[] = [];
  const body = renderToString(
    h(IslandRenderContext.Provider, {
      value: { render: islands, insideIsland: false },
    }, h(HeadContext.Provider, { value: headNodes }, inner)),
  );
  const scripts = islandScripts(page.snapshot, islands);
  const merged = mergeHeadNodes(headNodes);
  const html = htmlDocument({
    body,
    title: merged.title ? renderToString(merged.title) : null,
    head: renderToString(h(Fragment, null, merged.nodes)) + scripts.head,
    scripts: page.extraScripts.map((src) =>
      `<script type="module" src="${escapeHtml(src)}"></script>`
    ).join("") + scripts.body + (page.bodyEnd ?? ""),
  });
  const headers = new Headers(page.options?.headers);
  if (!headers.has("content-type")) {
    headers.set("content-type", "text/html; charset=utf-8");
  }
  return new Response(html, {
    status: page.options?.status ?? 200,
    statusText: page.options?.statusText,
    headers,
  });
}

/**
 * The event streams (EventSource requests) a browser context's pages open, as
 * the browser tests count them.
 *
 * @module
 */
import type { BrowserContext, Request } from "playwright-core";

/** The context's event streams: those open now (paths) and every one made. */
export function openEventStreams(context: BrowserContext) {
  const open = new Set<Request>();
  const all: Request[] = [];
  context.on("request", (r) => {
    if (r.resourceType() !== "eventsource") return;
    open.add(r);
    all.push(r);
  });
  context.on("requestfinished", (r) => open.delete(r));
  context.on("requestfailed", (r) => open.delete(r));
  return {
    open: () => [...open].map((r) => new URL(r.url()).pathname),
    all,
  };
}

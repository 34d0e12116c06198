/**
 * The `_404` and `_500` pages used when the app has none.
 *
 * @module
 */
import { h } from "preact";
import type { PageProps } from "./types.ts";

export function DefaultNotFound(_props: PageProps) {
  return h("main", null, h("h1", null, "404 - Page not found"));
}

export function DefaultError(_props: PageProps) {
  return h("main", null, h("h1", null, "500 - Internal server error"));
}

/**
 * `$fresh/runtime.ts`: what islands and components import from Fresh 1.x,
 * usable on the server and in the browser.
 *
 * @example
 * ```tsx
 * import { asset, Head, IS_BROWSER } from "$fresh/runtime.ts";
 * ```
 * @module
 */
export { Head } from "./src/runtime/head.ts";
export { asset, assetSrcSet, IS_BROWSER } from "./src/runtime/asset.ts";

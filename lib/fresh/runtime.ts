/**
 * `$fresh/runtime.ts`: what islands and components import from Fresh 1.x, on the
 * server and in the browser.
 *
 * @module
 */
export { Head } from "./src/runtime/head.ts";
export { asset, assetSrcSet, IS_BROWSER } from "./src/runtime/asset.ts";

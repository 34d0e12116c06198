/**
 * The hydration runtime: {@link revive} reads the props table and hydrates each
 * island in place between its markers, keeping slot children.
 *
 * @module
 */
import { type ComponentType, hydrate } from "preact";
import { setBuildId } from "../asset.ts";
import { parseIslandMarker, STATE_SCRIPT_ID } from "../markers.ts";
import { deserialize } from "../serializer.ts";
import { islandProps, type IslandSource } from "./dom_vnodes.ts";
import { islandVNode, reportIslandError } from "./island_errors.ts";
import { markerRange, rootFragment } from "./root_fragment.ts";

export interface ReviveOptions {
  /** Makes `asset()` work in islands. */
  buildId?: string;
}

/**
 * Hydrates every island of the page. `islands` maps marker names
 * (`counter`, `counter_Named` for a named export) to components.
 */
export function revive(
  islands: Record<string, ComponentType>,
  options: ReviveOptions = {},
): void {
  if (options.buildId) setBuildId(options.buildId);
  const stateText = document.getElementById(STATE_SCRIPT_ID)?.textContent;
  const props = stateText ? deserialize(stateText) : [];
  const source: IslandSource = {
    components: islands,
    props: props as Record<string, unknown>[],
  };
  reviveWithin(source, document.body);
}

/** Hydrates the outermost islands under `root` (nested ones go with their parent). */
function reviveWithin(source: IslandSource, root: Node): void {
  let node = root.firstChild;
  while (node) {
    if (node.nodeType === Node.COMMENT_NODE) {
      const text = (node as Comment).data;
      const marker = parseIslandMarker(text);
      const range = marker && markerRange(node, "/" + text);
      const component = marker && source.components[marker.name];
      if (marker && range && component) {
        try {
          const props = islandProps(source, marker.index, range.nodes);
          const parent = rootFragment(node.parentNode!, range.nodes, range.end);
          hydrate(islandVNode(marker.name, component, props), parent);
        } catch (err) {
          console.error(`Fresh: island ${marker.name} failed to hydrate`, err);
          reportIslandError(marker.name, err);
        }
        node = range.end.nextSibling;
        continue;
      }
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      reviveWithin(source, node);
    }
    node = node.nextSibling;
  }
}

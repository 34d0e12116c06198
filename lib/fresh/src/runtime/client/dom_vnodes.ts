/**
 * Rebuilds Preact vnodes from server-rendered DOM, so an island's slots (and nested
 * islands) survive hydration.
 *
 * @module
 */
import { type ComponentChild, type ComponentType, h } from "preact";
import { parseIslandMarker, slotMarker } from "../markers.ts";
import { Slot } from "../serializer.ts";
import { islandVNode } from "./island_errors.ts";
import { markerRange } from "./root_fragment.ts";

/** What the walk needs to know about the page. */
export interface IslandSource {
  components: Record<string, ComponentType>;
  /** Deserialized props per island index (slots still as {@link Slot}). */
  props: Record<string, unknown>[];
}

/** The props of island `index`, each slot replaced by vnodes of its DOM. */
export function islandProps(
  source: IslandSource,
  index: number,
  nodes: ChildNode[],
): Record<string, unknown> {
  const props = { ...(source.props[index] ?? {}) };
  for (const [name, value] of Object.entries(props)) {
    if (!(value instanceof Slot)) continue;
    const range = findSlot(nodes, slotMarker(index, name));
    props[name] = range ? toVNodes(source, range) : null;
  }
  return props;
}

/** The nodes of a slot, searched for in `nodes` and their descendants. */
function findSlot(nodes: ChildNode[], text: string): ChildNode[] | null {
  for (const node of nodes) {
    if (
      node.nodeType === Node.COMMENT_NODE && (node as Comment).data === text
    ) {
      return markerRange(node, "/" + text)?.nodes ?? [];
    }
    if (node.nodeType === Node.ELEMENT_NODE) {
      const found = findSlot([...node.childNodes], text);
      if (found) return found;
    }
  }
  return null;
}

/** Vnodes for a run of sibling nodes. */
export function toVNodes(
  source: IslandSource,
  nodes: ChildNode[],
): ComponentChild[] {
  const out: ComponentChild[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const node = nodes[i];
    if (node.nodeType === Node.TEXT_NODE) {
      out.push((node as Text).data);
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      out.push(elementVNode(source, node as Element));
    } else if (node.nodeType === Node.COMMENT_NODE) {
      const marker = parseIslandMarker((node as Comment).data);
      const component = marker && source.components[marker.name];
      if (!marker || !component) continue;
      const range = markerRange(node, "/" + (node as Comment).data);
      if (!range) continue;
      const props = islandProps(source, marker.index, range.nodes);
      out.push(
        islandVNode(marker.name, component, props, marker.key || undefined),
      );
      i = nodes.indexOf(range.end);
    }
  }
  return out;
}

function elementVNode(source: IslandSource, element: Element): ComponentChild {
  const props: Record<string, unknown> = {};
  for (const attr of element.attributes) props[attr.name] = attr.value;
  const tag = element.localName;
  const children = tag === "template"
    ? []
    : toVNodes(source, [...element.childNodes]);
  return h(tag, props, ...children);
}

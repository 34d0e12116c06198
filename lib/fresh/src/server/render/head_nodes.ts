/**
 * Merges what the `<Head>` components of one render collected, as Fresh 1.x does
 * (the last `<title>` wins; of children with one `key`, the last).
 *
 * @module
 */
import {
  type ComponentChild,
  type ComponentChildren,
  isValidElement,
  toChildArray,
  type VNode,
} from "preact";

export interface MergedHead {
  /** The page's `<title>`, or null when no `<Head>` gave one. */
  title: VNode | null;
  /** Every other child: unkeyed in order, then one per key. */
  nodes: ComponentChild[];
}

export function mergeHeadNodes(collected: ComponentChildren[]): MergedHead {
  let title: VNode | null = null;
  const nodes: ComponentChild[] = [];
  const byKey = new Map<unknown, ComponentChild>();
  for (const child of toChildArray(collected)) {
    if (isValidElement(child) && child.type === "title") title = child;
    else if (isValidElement(child) && child.key != null) {
      byKey.delete(child.key); // a later one takes the last place
      byKey.set(child.key, child);
    } else nodes.push(child);
  }
  return { title, nodes: [...nodes, ...byKey.values()] };
}

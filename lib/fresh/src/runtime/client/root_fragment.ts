/**
 * A stand-in parent node spanning the DOM between two markers, so an island hydrates
 * in place without touching the rest of its real parent.
 *
 * @module
 */

/** A parent for `hydrate()`/`render()` covering `nodes`, which sit just before `end`. */
export function rootFragment(
  parent: Node,
  nodes: ChildNode[],
  end: Node,
): Element {
  const insert = (child: Node, before?: Node | null) =>
    parent.insertBefore(child, before ?? end);
  return {
    nodeType: 1,
    parentNode: parent,
    namespaceURI: (parent as Element).namespaceURI,
    firstChild: nodes[0] ?? null,
    childNodes: nodes,
    insertBefore: insert,
    appendChild: (child: Node) => insert(child),
    removeChild: (child: Node) => parent.removeChild(child),
    contains: (node: Node) => parent.contains(node),
  } as unknown as Element;
}

/** The siblings strictly between `start` and the comment `endText`, and that comment. */
export function markerRange(
  start: Node,
  endText: string,
): { nodes: ChildNode[]; end: Comment } | null {
  const nodes: ChildNode[] = [];
  for (let node = start.nextSibling; node; node = node.nextSibling) {
    if (
      node.nodeType === Node.COMMENT_NODE && (node as Comment).data === endText
    ) {
      return { nodes, end: node as Comment };
    }
    nodes.push(node);
  }
  return null;
}

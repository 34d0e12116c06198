/**
 * Island errors in the browser: each island renders inside a boundary that
 * announces what it throws (hydration, render, effects) as a window event,
 * then lets the error go on as before. The dev client script shows it in the
 * error overlay; production has no listener.
 *
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  h,
  type VNode,
} from "preact";
import { Component } from "preact";

/** The window event an island error is announced by (`detail`: {@link IslandErrorDetail}). */
export const ISLAND_ERROR_EVENT = "fresh:island-error";

export interface IslandErrorDetail {
  /** The island's marker name, e.g. `counter` or `counter_Named`. */
  island: string;
  /** `Name: message`, as a V8 stack starts. */
  message: string;
  stack: string;
}

/** Errors already announced: the boundary and `revive`'s catch see the same one. */
const announced = new WeakSet<object>();

/** Announces an error of island `island` once. */
export function reportIslandError(island: string, err: unknown): void {
  if (typeof err === "object" && err !== null) {
    if (announced.has(err)) return;
    announced.add(err);
  }
  const detail: IslandErrorDetail = {
    island,
    message: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    stack: err instanceof Error ? err.stack ?? "" : "",
  };
  dispatchEvent(new CustomEvent(ISLAND_ERROR_EVENT, { detail }));
}

interface BoundaryProps {
  island: string;
  children?: ComponentChildren;
}

/** Renders nothing of its own; without a `setState` Preact passes the error on. */
class IslandBoundary extends Component<BoundaryProps> {
  override componentDidCatch(err: unknown) {
    reportIslandError(this.props.island, err);
  }
  override render() {
    return this.props.children;
  }
}

/** The vnode of island `name`: its component inside a reporting boundary. */
export function islandVNode(
  name: string,
  component: ComponentType,
  props: Record<string, unknown>,
  key?: string,
): VNode<BoundaryProps> {
  return h(IslandBoundary, { island: name, key }, h(component, props));
}

/**
 * Island marking during server rendering: a Preact `options.vnode` hook writes each
 * outermost island and its slots between markers and records its props.
 *
 * @module
 */
import {
  type ComponentChildren,
  type ComponentType,
  createContext,
  Fragment,
  h,
  isValidElement,
  options,
  type VNode,
} from "preact";
import { useContext } from "preact/hooks";
import { islandMarker, slotMarker } from "../../runtime/markers.ts";
import { Slot } from "../../runtime/serializer.ts";
import { islandName } from "../../build/snapshot.ts";
import type { Manifest } from "../../types.ts";

/** One island export. */
export interface Island {
  /** Marker name: the file's path under `islands/` (`chat_livefeed`), plus `_{export}` for a named export. */
  name: string;
  /** Manifest key of its file, e.g. `./islands/Counter.tsx`. */
  file: string;
  exportName: string;
}

/** What one page render collects. */
export interface IslandRender {
  /** Props per island index, in render order. */
  props: Record<string, unknown>[];
  /** Islands rendered on the page. */
  used: Set<Island>;
}

interface RenderScope {
  render: IslandRender;
  /** Inside an island, components render as they are (the island's bundle holds them). */
  insideIsland: boolean;
}

/** Provided around a page render; absent means "do not mark islands". */
export const IslandRenderContext = createContext<RenderScope | null>(null);

const wrappers = new Map<ComponentType, ComponentType>();
const keys = new WeakMap<object, string>();
/** True while a wrapper creates the vnode of the island itself. */
let creatingIsland = false;

/** `h(component, props)` without the swap for the wrapper. */
function islandVNode(
  component: ComponentType,
  props: Record<string, unknown>,
): VNode {
  creatingIsland = true;
  try {
    return h(component, props);
  } finally {
    creatingIsland = false;
  }
}

/** Registers the islands of a manifest; returns them by marker name. */
export function registerIslands(manifest: Manifest): Map<string, Island> {
  const byName = new Map<string, Island>();
  for (const [file, module] of Object.entries(manifest.islands)) {
    const base = islandName(file);
    for (const [exportName, value] of Object.entries(module)) {
      if (typeof value !== "function") continue;
      let name = exportName === "default" ? base : `${base}_${exportName}`;
      for (let n = 2; byName.has(name); n++) name = `${base}${n}`;
      const island = { name, file, exportName };
      byName.set(name, island);
      const component = value as ComponentType;
      if (!wrappers.has(component)) {
        wrappers.set(component, islandWrapper(component, island));
      }
    }
  }
  return byName;
}

function islandWrapper(
  component: ComponentType,
  island: Island,
): ComponentType {
  function Island(props: Record<string, unknown>) {
    const scope = useContext(IslandRenderContext);
    if (!scope || scope.insideIsland) return islandVNode(component, props);
    const index = scope.render.props.length;
    const stateProps: Record<string, unknown> = {};
    const serverProps: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(props)) {
      if (isJsx(value)) {
        stateProps[name] = new Slot(name, index);
        serverProps[name] = slot(
          scope.render,
          index,
          name,
          value as ComponentChildren,
        );
      } else {
        stateProps[name] = serverProps[name] = value;
      }
    }
    scope.render.props.push(stateProps);
    scope.render.used.add(island);
    const marker = islandMarker(island.name, index, keys.get(props) ?? "");
    return h(
      Fragment,
      null,
      comment(marker),
      h(
        IslandRenderContext.Provider,
        { value: { render: scope.render, insideIsland: true } },
        islandVNode(component, serverProps),
      ),
      comment("/" + marker),
    );
  }
  Island.displayName = `Island(${component.displayName ?? component.name})`;
  return Island;
}

/** JSX inside a slot is page content again: islands in it are marked. */
function slot(
  render: IslandRender,
  index: number,
  name: string,
  children: ComponentChildren,
): VNode {
  const marker = slotMarker(index, name);
  return h(
    Fragment,
    null,
    comment(marker),
    h(IslandRenderContext.Provider, {
      value: { render, insideIsland: false },
    }, children),
    comment("/" + marker),
  );
}

function comment(text: string): VNode {
  // preact-render-to-string writes a Fragment with this prop as <!--text-->.
  return h(Fragment, { UNSTABLE_comment: text } as Record<string, unknown>);
}

function isJsx(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isJsx);
  // A signal passes isValidElement (it renders as text) but is data.
  if (typeof value === "object" && value !== null && "brand" in value) {
    return false;
  }
  return isValidElement(value);
}

// Installed once per process: swaps island components for their wrappers.
const previousVNodeHook = options.vnode;
options.vnode = (vnode) => {
  const wrapper = typeof vnode.type === "function" && !creatingIsland
    ? wrappers.get(vnode.type as ComponentType)
    : undefined;
  if (wrapper) {
    if (vnode.key != null) keys.set(vnode.props as object, String(vnode.key));
    (vnode as { type: unknown }).type = wrapper;
  }
  previousVNodeHook?.(vnode);
};

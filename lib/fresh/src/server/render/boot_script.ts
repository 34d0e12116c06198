/**
 * The scripts a page with islands ships: the props table, the inline boot module that
 * calls `revive`, and `modulepreload` links.
 *
 * @module
 */
import { STATE_SCRIPT_ID } from "../../runtime/markers.ts";
import { escapeForScript, serialize } from "../../runtime/serializer.ts";
import type { BuildSnapshot } from "../../types.ts";
import type { Island, IslandRender } from "./islands.ts";

/** URL of a bundle file of this build. */
export function bundleUrl(snapshot: BuildSnapshot, path: string): string {
  return `/_frsh/js/${snapshot.buildId}/${path.replace(/^\.?\//, "")}`;
}

/** JSON that may sit inside an inline `<script>`. */
function scriptJson(value: unknown): string {
  return escapeForScript(JSON.stringify(value));
}

export interface IslandScripts {
  /** Goes into `<head>`. */
  head: string;
  /** Goes at the end of `<body>`. */
  body: string;
}

/** The scripts for the islands a render used; empty strings when it used none. */
export function islandScripts(
  snapshot: BuildSnapshot,
  render: IslandRender,
): IslandScripts {
  if (render.used.size === 0) return { head: "", body: "" };
  const files = new Map<string, Island[]>();
  for (const island of render.used) {
    const entry = snapshot.islandEntry(island.file);
    files.set(entry, [...(files.get(entry) ?? []), island]);
  }
  const entries = [snapshot.runtimeEntry, ...files.keys()];
  const preload = new Set<string>();
  for (const entry of entries) {
    preload.add(entry);
    for (const dep of snapshot.dependencies(entry)) preload.add(dep);
  }
  const head = [...preload].map((file) =>
    `<link rel="modulepreload" href="${bundleUrl(snapshot, file)}">`
  ).join("");

  const imports = [
    `import { revive } from ${
      scriptJson(bundleUrl(snapshot, snapshot.runtimeEntry))
    };`,
  ];
  const components: string[] = [];
  [...files.entries()].forEach(([entry, islands], i) => {
    imports.push(
      `import * as $${i} from ${scriptJson(bundleUrl(snapshot, entry))};`,
    );
    for (const island of islands) {
      components.push(
        `${scriptJson(island.name)}: $${i}[${scriptJson(island.exportName)}]`,
      );
    }
  });
  const boot = `${imports.join("")}revive({${components.join(",")}}, ${
    scriptJson({ buildId: snapshot.buildId })
  });`;
  const body = `<script id="${STATE_SCRIPT_ID}" type="application/json">${
    serialize(render.props)
  }</script><script type="module">${boot}</script>`;
  return { head, body };
}

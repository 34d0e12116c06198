/**
 * The layering check of `deno task check`: fails on an import that points up the
 * layers or a cycle between folders (the rules: ARCHITECTURE.md, Layers).
 *
 * @module
 */
import { join, relative, resolve } from "node:path";
import { fromFileUrl, toFileUrl } from "../lib/fresh/src/build/paths.ts";

/**
 * Top to bottom. A folder may import its own files and the folders of its
 * layer and of the layers below; `isolated` folders import only themselves.
 */
export const LAYERS: { units: string[]; isolated?: boolean }[] = [
  { units: ["main.ts", "dev.ts", "fresh.config.ts", "fresh.gen.ts"] },
  { units: ["routes"] },
  { units: ["islands", "components"] },
  { units: ["lib/app", "lib/client"] },
  { units: ["lib/mercure"] },
  { units: ["lib/realtime", "lib/access"] },
  { units: ["lib/http", "lib/process"] },
  {
    units: ["lib/fresh", "lib/kv", "lib/config", "lib/metrics"],
    isolated: true,
  },
];

/** Where the checked code lives; everything else (tests, bench, scripts) may import anything. */
const CHECKED = ["main.ts", "dev.ts", "fresh.config.ts", "fresh.gen.ts"];
const CHECKED_DIRS = ["routes", "islands", "components", "lib"];

export interface Violation {
  from: string;
  to: string;
  rule: string;
}

/** The unit a repository path belongs to: a top-level file or folder, or `lib/{name}`. */
export function unitOf(path: string): string {
  const parts = path.split("/");
  return parts[0] === "lib" && parts.length > 2
    ? `lib/${parts[1]}`
    : parts.length === 1
    ? path
    : parts[0];
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((l) => l.units.includes(unit));
}

async function sourceFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(root, dir))) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory) await walk(path);
      else if (/\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  for (const name of CHECKED) {
    if (await exists(join(root, name))) files.push(name);
  }
  for (const dir of CHECKED_DIRS) {
    if (await exists(join(root, dir))) await walk(dir);
  }
  return files.sort();
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

interface InfoModule {
  specifier: string;
  dependencies?: {
    code?: { specifier?: string };
    type?: { specifier?: string };
  }[];
}

/** Every import (code and type-only) between the files, resolved by Deno with the tree's deno.json. */
async function importEdges(
  root: string,
  files: string[],
): Promise<[string, string][]> {
  const dir = await Deno.makeTempDir({ prefix: "check-layers-" });
  try {
    const entry = join(dir, "all.ts");
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import "${toFileUrl(join(root, f))}";\n`).join(""),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", join(root, "deno.json"), entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `deno info failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: InfoModule[];
    };
    const inRoot = (specifier?: string) => {
      if (!specifier?.startsWith("file:")) return null;
      const path = relative(root, fromFileUrl(specifier));
      return path.startsWith("..") ? null : path.split("\\").join("/");
    };
    const edges: [string, string][] = [];
    for (const mod of info.modules) {
      const from = inRoot(mod.specifier);
      if (!from) continue;
      for (const dep of mod.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          const to = inRoot(target);
          if (to && to !== from) edges.push([from, to]);
        }
      }
    }
    return edges;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The violations in the tree at `root` (a folder with a deno.json). */
export async function checkLayers(root: string): Promise<Violation[]> {
  root = resolve(root);
  const files = await sourceFiles(root);
  const checked = new Set(files);
  const violations: Violation[] = [];
  const unitEdges = new Map<string, Map<string, [string, string]>>();
  const seen = new Set<string>();
  for (const [from, to] of await importEdges(root, files)) {
    if (!checked.has(from) || seen.has(`${from}\0${to}`)) continue;
    seen.add(`${from}\0${to}`);
    const a = unitOf(from);
    const b = unitOf(to);
    if (a === b) continue;
    const la = layerOf(a);
    const lb = layerOf(b);
    if (la === -1 || lb === -1) {
      violations.push({
        from,
        to,
        rule: `${la === -1 ? a : b} is in no layer (add it to LAYERS)`,
      });
    } else if (lb < la) {
      violations.push({
        from,
        to,
        rule: `${a} may not import ${b} (a higher layer)`,
      });
    } else if (la === lb && LAYERS[la].isolated) {
      violations.push({
        from,
        to,
        rule: `${a} imports nothing outside itself`,
      });
    }
    if (!unitEdges.has(a)) unitEdges.set(a, new Map());
    if (!unitEdges.get(a)!.has(b)) unitEdges.get(a)!.set(b, [from, to]);
  }
  for (const cycle of folderCycles(unitEdges)) {
    const [from, to] = unitEdges.get(cycle[0])!.get(cycle[1])!;
    violations.push({
      from,
      to,
      rule: `folders import each other: ${[...cycle, cycle[0]].join(" → ")}`,
    });
  }
  return violations;
}

/** One cycle per strongly connected group of folders (Tarjan). */
function folderCycles(edges: Map<string, Map<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) cycles.push(pathWithin(group, edges));
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

/** A cycle through the group's first folder, following edges inside the group. */
function pathWithin(
  group: string[],
  edges: Map<string, Map<string, unknown>>,
): string[] {
  const members = new Set(group);
  const start = group.sort()[0];
  const back = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(back.get(path[0])!);
        return path;
      }
      if (!back.has(w)) {
        back.set(w, v);
        queue.push(w);
      }
    }
  }
  return group;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? fromFileUrl(new URL("..", import.meta.url));
  const violations = await checkLayers(root);
  for (const v of violations) {
    console.error(`layers: ${v.from} → ${v.to}: ${v.rule}`);
  }
  if (violations.length) {
    console.error(
      `layers: ${violations.length} import(s) break the rules in ARCHITECTURE.md (Layers)`,
    );
    Deno.exit(1);
  }
  console.log("layers: every import points down; no folder cycles");
}

/**
 * Bundles the islands and the hydration runtime with esbuild (ESM, one entry per
 * island, shared chunks, minified unless in dev).
 *
 * @module
 */
import * as esbuild from "esbuild";
import { relative, resolve as resolvePath } from "node:path";
import { loadImportMap } from "./import_map.ts";
import { denoResolver } from "./resolver.ts";

export interface BundleOptions {
  /** Project root (absolute); esbuild's working directory. */
  root: string;
  /** Output name (without `.js`) → absolute path of the entry module. */
  entries: Record<string, string>;
  /** Dev: readable output with source maps; else minified. */
  dev: boolean;
  target: string | string[];
  /** Where the files would be written; names in the result are relative to it. */
  outDir: string;
}

export interface Bundle {
  /** Relative path (`"main.js"`, `"chunk-AB12.js"`) → bytes. */
  files: Map<string, Uint8Array>;
  /** Relative path → the files it imports statically (transitively). */
  dependencies: Map<string, string[]>;
  /** The source modules that went into the bundles (absolute paths). */
  inputs: string[];
}

let running = 0;

/** Runs one esbuild build in memory. */
export async function bundle(opts: BundleOptions): Promise<Bundle> {
  running++;
  try {
    const result = await esbuild.build({
      entryPoints: opts.entries,
      absWorkingDir: opts.root,
      outdir: opts.outDir,
      write: false,
      bundle: true,
      splitting: true,
      format: "esm",
      platform: "browser",
      target: opts.target,
      minify: !opts.dev,
      sourcemap: opts.dev ? "linked" : false,
      treeShaking: true,
      metafile: true,
      jsx: "automatic",
      jsxImportSource: "preact",
      entryNames: "[name]",
      chunkNames: "chunk-[hash]",
      logLevel: "silent",
      plugins: [denoResolver(await loadImportMap(opts.root))],
    });
    const files = new Map<string, Uint8Array>();
    for (const file of result.outputFiles) {
      files.set(relative(opts.outDir, file.path), file.contents);
    }
    return {
      files,
      dependencies: staticImports(result.metafile, opts),
      inputs: Object.keys(result.metafile.inputs).map((path) =>
        resolvePath(opts.root, path)
      ),
    };
  } finally {
    if (--running === 0) await esbuild.stop();
  }
}

/** From the metafile: each output's static imports, transitively, relative to outDir. */
function staticImports(
  metafile: esbuild.Metafile,
  opts: BundleOptions,
): Map<string, string[]> {
  // Metafile paths are relative to absWorkingDir.
  const toOut = (path: string) =>
    relative(opts.outDir, resolvePath(opts.root, path));
  const direct = new Map<string, string[]>();
  for (const [path, output] of Object.entries(metafile.outputs)) {
    direct.set(
      toOut(path),
      output.imports.filter((i) => i.kind === "import-statement" && !i.external)
        .map((i) => toOut(i.path)),
    );
  }
  const all = new Map<string, string[]>();
  for (const start of direct.keys()) {
    const seen = new Set<string>();
    const visit = (path: string) => {
      for (const dep of direct.get(path) ?? []) {
        if (!seen.has(dep)) {
          seen.add(dep);
          visit(dep);
        }
      }
    };
    visit(start);
    all.set(start, [...seen]);
  }
  return all;
}

/**
 * An esbuild plugin that resolves Deno-style imports for the browser bundles (import
 * map, `npm:`, `.ts` paths), with one copy of Preact and the signals.
 *
 * @module
 */
import type * as esbuild from "esbuild";
import { dirname, isAbsolute, resolve as resolvePath } from "node:path";
import { type ImportMap, npmToBare } from "./import_map.ts";
import { fromFileUrl } from "./paths.ts";

/** Packages that must exist once in the browser. */
const SINGLETON = /^(preact|@preact\/signals|@preact\/signals-core)(\/.*)?$/;

/** Marks our own nested `build.resolve` calls, so they are not mapped again. */
const NESTED = { denoResolverNested: true };

export function denoResolver(importMap: ImportMap): esbuild.Plugin {
  return {
    name: "deno-resolver",
    setup(build) {
      const fromNodeModules = async (
        bare: string,
        args: esbuild.OnResolveArgs,
      ) => {
        const result = await build.resolve(bare, {
          kind: args.kind,
          resolveDir: importMap.dir,
          importer: args.importer,
          pluginData: NESTED,
        });
        if (result.errors.length > 0) {
          return { errors: result.errors };
        }
        return { path: result.path, sideEffects: result.sideEffects };
      };

      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.pluginData?.denoResolverNested) return undefined;
        const spec = args.path;
        const inNodeModules = args.importer.includes("/node_modules/");
        if (inNodeModules) {
          // Let esbuild resolve packages' own imports, except the singletons.
          return SINGLETON.test(spec) ? fromNodeModules(spec, args) : undefined;
        }
        const mapped = importMap.resolve(spec) ?? spec;
        if (mapped.startsWith("npm:")) {
          return fromNodeModules(npmToBare(mapped), args);
        }
        if (mapped.startsWith("file:")) return { path: fromFileUrl(mapped) };
        if (/^(jsr|https?):/.test(mapped)) {
          return {
            errors: [{
              text: `"${spec}" cannot be bundled: only import map, npm: and ` +
                `relative imports are supported in islands`,
            }],
          };
        }
        if (isAbsolute(mapped)) return { path: mapped };
        if (mapped.startsWith("./") || mapped.startsWith("../")) {
          return {
            path: resolvePath(
              args.resolveDir || dirname(args.importer),
              mapped,
            ),
          };
        }
        // A bare name that deno.json does not map: a node_modules package.
        return fromNodeModules(mapped, args);
      });
    },
  };
}

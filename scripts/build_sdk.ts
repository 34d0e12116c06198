/**
 * `deno task sdk`: bundles `static/herald.js` (the browser subscriber) and
 * `sdk/dist/publisher.js` (the publisher client for Node) with esbuild.
 *
 * @module
 */
import * as esbuild from "esbuild";
import { loadImportMap } from "../lib/fresh/src/build/import_map.ts";
import { denoResolver } from "../lib/fresh/src/build/resolver.ts";

const ROOT = new URL("../", import.meta.url).pathname;

export const HERALD_JS = "static/herald.js";
export const PUBLISHER_JS = "sdk/dist/publisher.js";

/** lib/client needs only `signal` from @preact/signals: the core has it, without Preact. */
const signalsCore: esbuild.Plugin = {
  name: "signals-core",
  setup(build) {
    build.onResolve(
      { filter: /^@preact\/signals$/ },
      (args) =>
        build.resolve("@preact/signals-core", {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
        }),
    );
  },
};

async function build(
  entry: string,
  options: esbuild.BuildOptions,
  extra: esbuild.Plugin[] = [],
): Promise<Uint8Array> {
  const result = await esbuild.build({
    entryPoints: [`${ROOT}${entry}`],
    absWorkingDir: ROOT,
    bundle: true,
    write: false,
    logLevel: "silent",
    legalComments: "none",
    plugins: [...extra, denoResolver(await loadImportMap(ROOT))],
    ...options,
  });
  return result.outputFiles![0].contents;
}

/** The browser subscriber's bytes (what `/herald.js` serves). */
export function buildHeraldJs(): Promise<Uint8Array> {
  return build("sdk/herald_browser.ts", {
    format: "iife",
    platform: "browser",
    target: "es2020",
    minify: true,
    banner: {
      js:
        "/* Herald browser subscriber: built from sdk/herald_browser.ts by `deno task sdk` */",
    },
  }, [signalsCore]);
}

/** The publisher client as one ES module for Node 18+. */
export function buildPublisherJs(): Promise<Uint8Array> {
  return build("sdk/publisher.ts", {
    format: "esm",
    platform: "node",
    target: "node18",
    banner: {
      js:
        "// Herald publisher client: built from sdk/publisher.ts by `deno task sdk`",
    },
  });
}

if (import.meta.main) {
  try {
    await Deno.writeFile(`${ROOT}${HERALD_JS}`, await buildHeraldJs());
    await Deno.mkdir(`${ROOT}sdk/dist`, { recursive: true });
    await Deno.writeFile(`${ROOT}${PUBLISHER_JS}`, await buildPublisherJs());
    console.log(`wrote ${HERALD_JS} and ${PUBLISHER_JS}`);
  } finally {
    await esbuild.stop();
  }
}

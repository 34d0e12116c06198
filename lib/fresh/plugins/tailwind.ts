/**
 * The Tailwind CSS plugin (`$fresh/plugins/tailwind.ts`), Tailwind 4.
 *
 * The input is `static/styles.css` (holding `@import "tailwindcss";`). In
 * dev, `/styles.css` is compiled on request from the classes used in
 * `routes/`, `islands/` and `components/`, and cached until a file changes.
 * `deno task build` writes the minified CSS to `{outDir}/static/styles.css`,
 * which the server's static files serve first; without a build, production
 * compiles it once (minified) on the first request.
 *
 * @example
 * ```ts
 * // fresh.config.ts
 * import { defineConfig } from "$fresh/server.ts";
 * import tailwind from "$fresh/plugins/tailwind.ts";
 * export default defineConfig({ plugins: [tailwind()] });
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { TailwindCompiler } from "../src/build/tailwind_css.ts";
import type { Plugin, ResolvedFreshConfig } from "../src/types.ts";

export interface TailwindPluginOptions {
  /** The input CSS, relative to the static folder. Default `"styles.css"`. */
  input?: string;
  /** Folders to scan for class names, relative to the project root. */
  sources?: string[];
}

const DEFAULT_SOURCES = ["routes", "islands", "components"];

export function tailwind(options: TailwindPluginOptions = {}): Plugin {
  const input = (options.input ?? "styles.css").replace(/^\/+/, "");
  const compilers = new Map<string, TailwindCompiler>();
  // One compiler per project and mode (tests may run several apps in one process).
  const compilerFor = (config: ResolvedFreshConfig, minify: boolean) => {
    const id = `${config.root}\0${minify}`;
    let compiler = compilers.get(id);
    if (!compiler) {
      compiler = new TailwindCompiler({
        input: join(config.staticDir, input),
        sources: (options.sources ?? DEFAULT_SOURCES).map((dir) =>
          join(config.root, dir)
        ),
        minify,
      });
      compilers.set(id, compiler);
    }
    return compiler;
  };
  const builtFile = (config: ResolvedFreshConfig) =>
    join(config.build.outDir, "static", input);

  return {
    name: "tailwind",
    async buildStart(config) {
      const css = await compilerFor(config, true).css();
      await Deno.mkdir(dirname(builtFile(config)), { recursive: true });
      await Deno.writeTextFile(builtFile(config), css);
    },
    routes: [{
      path: `/${input}`,
      handler: async (_req, ctx) => {
        const { config } = ctx;
        const built = config.dev
          ? null
          : await Deno.readTextFile(builtFile(config)).catch(() => null);
        const css = built ?? await compilerFor(config, !config.dev).css();
        return new Response(css, {
          headers: {
            "content-type": "text/css; charset=utf-8",
            "cache-control": config.dev
              ? "no-cache"
              : "public, max-age=0, must-revalidate",
          },
        });
      },
    }],
  };
}

export default tailwind;

/**
 * The Tailwind CSS 4 plugin (`$fresh/plugins/tailwind.ts`): `static/styles.css`
 * compiled on request in dev, written by `deno task build`.
 *
 * @module
 */
import { dirname, join } from "node:path";
import type { TailwindCompiler } from "../src/build/tailwind_css.ts";
import type { Plugin, ResolvedFreshConfig } from "../src/types.ts";

export interface TailwindPluginOptions {
  /** The input CSS, relative to the static folder. Default `"styles.css"`. */
  input?: string;
  /** Folders to scan for class names, relative to the project root. */
  sources?: string[];
}

const DEFAULT_SOURCES = ["routes", "islands", "components"];

async function exists(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch {
    return false;
  }
}

/** The CSS with an ETag, so an unchanged stylesheet costs a 304. */
async function cssResponse(req: Request, css: string): Promise<Response> {
  const bytes = new TextEncoder().encode(css);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  const etag = `"${
    [...new Uint8Array(digest).slice(0, 16)]
      .map((b) => b.toString(16).padStart(2, "0")).join("")
  }"`;
  const headers = {
    "content-type": "text/css; charset=utf-8",
    "cache-control": "no-cache",
    etag,
  };
  if (req.headers.get("if-none-match") === etag) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(req.method === "HEAD" ? null : bytes, { headers });
}

export function tailwind(options: TailwindPluginOptions = {}): Plugin {
  const input = (options.input ?? "styles.css").replace(/^\/+/, "");
  const compilers = new Map<string, TailwindCompiler>();
  // One compiler per project and mode (tests may run several apps in one process).
  // Loaded on first use: its native addons (FFI) are not needed to serve a build.
  const compilerFor = async (config: ResolvedFreshConfig, minify: boolean) => {
    const id = `${config.root}\0${minify}`;
    let compiler = compilers.get(id);
    if (!compiler) {
      const { TailwindCompiler } = await import("../src/build/tailwind_css.ts");
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
  const cssPath = `/${input}`;
  const builtFile = (config: ResolvedFreshConfig) =>
    join(config.build.outDir, "static", input);

  return {
    name: "tailwind",
    async buildStart(config) {
      const css = await (await compilerFor(config, true)).css();
      await Deno.mkdir(dirname(builtFile(config)), { recursive: true });
      await Deno.writeTextFile(builtFile(config), css);
    },
    // A middleware, as in Fresh 1.x: it runs before the static files, which
    // would otherwise serve the raw input (`@import "tailwindcss";`).
    middlewares: [{
      path: "/",
      middleware: {
        handler: async (req, ctx) => {
          const { pathname } = new URL(req.url);
          const { config } = ctx;
          if (pathname !== cssPath) return ctx.next();
          if (!config.dev && await exists(builtFile(config))) return ctx.next();
          const css = await (await compilerFor(config, !config.dev)).css();
          return cssResponse(req, css);
        },
      },
    }],
  };
}

export default tailwind;

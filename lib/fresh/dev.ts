/**
 * `$fresh/dev.ts`: the entry of `deno task start`, `build` and `manifest`.
 *
 * @example
 * ```ts
 * await dev(import.meta.url, "./main.ts", config);
 * ```
 *
 * @module
 */
import { dirname, join } from "node:path";
import { buildApp } from "./src/build/build.ts";
import { DEV_ENV_VAR, resolveConfig } from "./src/build/config.ts";
import { writeManifest } from "./src/build/manifest.ts";
import { fromFileUrl, toFileUrl } from "./src/build/paths.ts";
import type { FreshConfig, Manifest } from "./src/types.ts";

/**
 * @param base `import.meta.url` of the app's dev.ts (the project root is its folder).
 * @param entrypoint the server module, relative to `base`, e.g. `"./main.ts"`.
 */
export async function dev(
  base: string,
  entrypoint: string,
  config?: FreshConfig,
): Promise<void> {
  const root = dirname(fromFileUrl(base));
  const { changed, files } = await writeManifest(root);
  if (changed) {
    console.log(
      `fresh.gen.ts: ${files.routes.length} routes, ${files.islands.length} islands`,
    );
  }
  if (Deno.args.includes("manifest")) return;

  if (Deno.args.includes("build")) {
    const manifest: Manifest =
      (await import(toFileUrl(join(root, "fresh.gen.ts")))).default;
    const resolved = resolveConfig(manifest.baseUrl, config, { dev: false });
    for (const plugin of resolved.plugins) {
      await plugin.configResolved?.(resolved);
    }
    const meta = await buildApp(manifest, resolved);
    console.log(
      `Built ${
        Object.keys(meta.files).length
      } files into ${resolved.build.outDir} (build id ${meta.buildId})`,
    );
    // Route modules may have opened connections on import; the build is done.
    Deno.exit(0);
  }

  Deno.env.set(DEV_ENV_VAR, "1");
  await import(new URL(entrypoint, base).href);
}

export default dev;

/**
 * `deno task build`: bundles the islands and the runtime (minified) into
 * `{outDir}` (`_fresh/`) with `snapshot.json`, then lets plugins write their
 * files (`buildStart`, e.g. Tailwind's `{outDir}/static/styles.css`).
 *
 * @example
 * ```ts
 * const meta = await buildApp(manifest, resolveConfig(manifest.baseUrl, config, { dev: false }));
 * console.log(meta.buildId);
 * ```
 * @module
 */
import { buildSnapshot } from "./snapshot.ts";
import { type SnapshotMeta, writeSnapshotDir } from "./snapshot_dir.ts";
import type { Manifest, ResolvedFreshConfig } from "../types.ts";

/** Replaces `{outDir}` with a fresh production build; returns its snapshot.json. */
export async function buildApp(
  manifest: Manifest,
  config: ResolvedFreshConfig,
): Promise<SnapshotMeta> {
  const built = await buildSnapshot(manifest, { ...config, dev: false });
  await Deno.remove(config.build.outDir, { recursive: true }).catch((err) => {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  });
  await writeSnapshotDir(config.build.outDir, built.meta, built.files);
  for (const plugin of config.plugins) await plugin.buildStart?.(config);
  for (const plugin of config.plugins) await plugin.buildEnd?.();
  return built.meta;
}

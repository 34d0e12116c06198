/**
 * `deno task build`: the minified bundles and `snapshot.json` in `_fresh/`, plugins'
 * files written before the build id is taken.
 *
 * @module
 */
import { buildIdOf, buildSnapshot } from "./snapshot.ts";
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
  for (const plugin of config.plugins) await plugin.buildStart?.(config);
  // The id covers what the plugins just wrote (the CSS) and the static files.
  const meta = {
    ...built.meta,
    buildId: await buildIdOf(built.files, config),
  };
  await writeSnapshotDir(config.build.outDir, meta, built.files);
  for (const plugin of config.plugins) await plugin.buildEnd?.();
  return meta;
}

/**
 * Resolves a `FreshConfig` (what `fresh.config.ts` exports) into the
 * `ResolvedFreshConfig` the server and the build share, dev mode included.
 *
 * @module
 */
import { dirname, isAbsolute, join } from "node:path";
import { fromFileUrl } from "./paths.ts";
import type { FreshConfig, ResolvedFreshConfig } from "../types.ts";
import { DEFAULT_BODY_LIMITS } from "../server/body_limit.ts";

/** Set to `"1"` by `dev()` before the entrypoint is imported. */
export const DEV_ENV_VAR = "__FRSH_DEV";

/** True when the process runs under `dev()` (`deno task start`). */
export function isDevMode(): boolean {
  try {
    return Deno.env.get(DEV_ENV_VAR) === "1";
  } catch {
    return false; // no --allow-env: not under dev()
  }
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/**
 * @param baseUrl `manifest.baseUrl` (the `import.meta.url` of fresh.gen.ts);
 *   the project root is its folder.
 * @param opts.dev overrides the environment variable (tests).
 */
export function resolveConfig(
  baseUrl: string,
  config: FreshConfig = {},
  opts: { dev?: boolean } = {},
): ResolvedFreshConfig {
  const root = dirname(fromFileUrl(baseUrl));
  const inRoot = (path: string) => isAbsolute(path) ? path : join(root, path);
  return {
    root,
    plugins: config.plugins ?? [],
    build: {
      outDir: inRoot(config.build?.outDir ?? "_fresh"),
      target: config.build?.target ?? ["chrome99", "firefox99", "safari15"],
    },
    staticDir: inRoot(config.staticDir ?? "static"),
    server: {
      port: config.server?.port ?? Number(env("PORT") ?? 8000),
      hostname: config.server?.hostname ?? env("HOSTNAME") ?? "0.0.0.0",
      onListen: config.server?.onListen,
      signal: config.server?.signal,
      reusePort: config.server?.reusePort ?? false,
      connections: config.server?.connections ?? {},
      body: resolveBodyLimits(config.server?.body),
    },
    router: { trailingSlash: config.router?.trailingSlash ?? false },
    onError: config.onError,
    dev: opts.dev ?? isDevMode(),
  };
}

function resolveBodyLimits(
  body: NonNullable<FreshConfig["server"]>["body"],
): ResolvedFreshConfig["server"]["body"] {
  const maxBytes = body?.maxBytes ?? DEFAULT_BODY_LIMITS.maxBytes;
  return {
    maxBytes: typeof maxBytes === "number" ? () => maxBytes : maxBytes,
    timeoutMs: body?.timeoutMs ?? DEFAULT_BODY_LIMITS.timeoutMs,
  };
}

/**
 * The one way in-process tests get the app: its services built by the same
 * `createServices` as main.ts (memory broker and store by default, the
 * simulator off), and, when a test needs HTTP, the real routes served over
 * them on a free port.
 *
 * @example
 * ```ts
 * await using app = await testServices({ env: { HERALD_RETRY_MS: "700" } });
 * await using server = serveApp(app);
 * await fetch(`${server.url}/api/health`);
 * ```
 * @module
 */
import { createHandler } from "$fresh/server.ts";
import manifest from "../../fresh.gen.ts";
import { appConfigFromEnv } from "../../lib/app/config.ts";
import {
  type AppServices,
  createServices,
  type ServiceOverrides,
  servicesPlugin,
} from "../../lib/app/services.ts";
import type { HeraldConfig } from "../../lib/realtime/config.ts";
import { jsonErrors } from "../../lib/http/error.ts";
import type { BuildSnapshot } from "../../lib/fresh/src/types.ts";

/** Settings of every test app: in memory, no background simulator. */
export const TEST_ENV: Record<string, string> = {
  HERALD_BROKER: "memory",
  HERALD_FLIGHTS_SIMULATOR: "off",
  HERALD_SESSION_SECRET: "test-session-secret",
};

/** Rate limits high enough for tests that publish in bursts (open mode otherwise). */
export const RELAXED_ACCESS_ENV: Record<string, string> = {
  HERALD_PUBLISH_RATE: "100000",
  HERALD_PUBLISH_BURST: "100000",
  HERALD_PUBLISH_RATE_IP: "100000",
  HERALD_PUBLISH_BURST_IP: "100000",
};

export interface TestServicesOptions extends ServiceOverrides {
  /** Settings on top of {@link TEST_ENV}. */
  env?: Record<string, string>;
  /** Realtime settings that replace what the environment gave. */
  herald?: Partial<HeraldConfig>;
}

export interface TestServices extends AppServices, AsyncDisposable {
  close(): Promise<void>;
}

export async function testServices(
  opts: TestServicesOptions = {},
): Promise<TestServices> {
  const config = appConfigFromEnv({ ...TEST_ENV, ...opts.env });
  config.herald = { ...config.herald, ...opts.herald };
  const { services, close } = await createServices(config, opts);
  return { ...services, close, [Symbol.asyncDispose]: close };
}

export interface ServedApp extends AsyncDisposable {
  url: string;
}

/** No browser bundles: in-process tests ask for pages and the API, never for islands' code. */
const NO_BUNDLES: BuildSnapshot = {
  buildId: "test",
  read: () => Promise.resolve(null),
  islandEntry: (key) => key,
  runtimeEntry: "main.js",
  dependencies: () => [],
};

/** Serves the app's real routes over `services` on a free port of 127.0.0.1. */
export async function serveApp(services: AppServices): Promise<ServedApp> {
  const handler = await createHandler(manifest, {
    plugins: [servicesPlugin(services)],
    onError: jsonErrors,
  }, { dev: false, snapshot: NO_BUNDLES });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    handler,
  );
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

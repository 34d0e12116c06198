/**
 * The app's parts, built once and in order from an {@link AppConfig} and closed in
 * reverse (ARCHITECTURE.md, The composition root); {@link servicesPlugin} puts them in
 * `ctx.state`.
 *
 * @module
 */
import type { Plugin } from "$fresh/server.ts";
import { type Access, createAccess } from "../access/access.ts";
import type { Session } from "../access/session.ts";
import { storedSessionSecret } from "../access/session_secret.ts";
import { createBroker } from "../realtime/brokers/create.ts";
import {
  closeHeraldInstance,
  createHerald,
  type Herald,
} from "../realtime/herald.ts";
import { HeraldLog } from "../realtime/observe.ts";
import { measuredBroker } from "../realtime/measured_broker.ts";
import { HeraldMetrics } from "../metrics/metrics.ts";
import type { Broker } from "../realtime/types.ts";
import type { LimitStore } from "../access/shared_limits.ts";
import { limitStoreErrorLog, openLimitStore } from "./limits/create.ts";
import type { AppConfig } from "./config.ts";
import { ChatService } from "./chat/service.ts";
import { keepOpenRoomsAlive } from "./chat/keep_alive.ts";
import { ClockRuns } from "./clock/runs.ts";
import { type Flights, startFlights, stopFlights } from "./flights/runtime.ts";
import { type Assistant, startAssistant } from "./assistant/runtime.ts";
import { startLogRelay } from "./logs/relay.ts";
import { answerWithRequestId } from "./logs/requests.ts";
import { type AdminStats, startAdminStats } from "./admin/stats.ts";
import { startLogPrinter } from "./logs/stdout.ts";
import { createStore } from "./store/create.ts";
import type { AppStore } from "./store/types.ts";
import { Presence } from "../realtime/presence/presence.ts";

export type { AppConfig };

/** What every route finds in `ctx.state`. */
export interface AppServices {
  config: AppConfig;
  /** The broker, the hub and the realtime config. */
  herald: Herald;
  store: AppStore;
  access: Access;
  chat: ChatService;
  flights: Flights;
  /** The /clock page's runs, ticking on the shared `clock` channel. */
  clockRuns: ClockRuns;
  /** The streamed answers of `/assistant`. */
  assistant: Assistant;
  /** Herald's own log records (also `herald.log`): printed, relayed to /logs. */
  log: HeraldLog;
  /** Who has a stream open on each channel (`GET /api/channels/{channel}/presence`). */
  presence: Presence;
  /**
   * Aborted when the app starts closing (SIGINT/SIGTERM): answers that stay
   * open outside the hub (the clock) end then, so the server can stop.
   */
  closing: AbortSignal;
  /** This instance's Prometheus registry and figures (`GET /metrics`, `/admin`). */
  metrics: HeraldMetrics;
  /** Every process's figures, for `/admin` and `GET /api/channels` (null without an admin token). */
  adminStats: AdminStats | null;
}

/** `ctx.state` of every request: the services, and the visitor's session (set by routes/_middleware.ts). */
export interface AppState extends AppServices {
  session?: Session;
}

export interface RunningServices {
  services: AppServices;
  /** Releases every part, in reverse order of creation. */
  close(): Promise<void>;
}

/** Parts given instead of being built from the config (tests). */
export interface ServiceOverrides {
  broker?: Broker;
  store?: AppStore;
  /** Deployment-wide limits; with a given store, none unless given here. */
  limitStore?: LimitStore;
}

export async function createServices(
  config: AppConfig,
  overrides: ServiceOverrides = {},
): Promise<RunningServices> {
  const closers: (() => Promise<void> | void)[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) {
      try {
        await closer();
      } catch (err) {
        console.error("closing:", err);
      }
    }
  };
  try {
    const log = new HeraldLog();
    closers.push(startLogPrinter(log, config.logFormat));
    const metrics = new HeraldMetrics({
      broker: overrides.broker?.name ?? config.broker.broker,
    });
    closers.push(() => metrics.close());
    const broker = measuredBroker(
      overrides.broker ?? await createBroker({
        ...config.broker,
        onReconnect: () => metrics.brokerReconnected(),
      }),
      metrics,
    );
    const herald = createHerald(broker, config.herald, metrics, log);
    closers.push(() => closeHeraldInstance(herald));
    log.log("info", "herald started", { broker: broker.name });

    const store = overrides.store ?? await createStore(config.store);
    closers.push(() => store.close());

    const limitStore = overrides.store
      ? overrides.limitStore
      : await openLimitStore(config.store, config.access.limitLeaseMs);
    if (limitStore) closers.push(() => limitStore.close());

    // Closed before the store (closers run in reverse), announcing its users' leaves.
    const presence = new Presence({
      store,
      publish: (channel, message) => broker.publish(channel, message),
      ttlMs: config.presenceTtlMs,
      graceMs: config.presenceGraceMs,
      log,
    });
    closers.push(() => presence.close());

    const access = createAccess(config.access, {
      generatedSessionSecret: () => storedSessionSecret(store),
      limitStore,
      onLimitStoreError: limitStoreErrorLog(log),
      metrics,
    });
    await access.sessionKey(); // read (or stored) now, not on the first request

    // Who is in a room is presence of its channel; a member whose last stream closed leaves.
    const chat = new ChatService(store, broker, presence, config.chat);
    presence.listen((channel, change) => chat.presenceChanged(channel, change));
    closers.push(keepOpenRoomsAlive(chat, presence, log));
    const flights = startFlights(config.flights, store, broker);
    closers.push(() => stopFlights(flights));
    const clockRuns = new ClockRuns({ store, broker, log }, config.clock);
    closers.push(() => clockRuns.close());
    const assistant = await startAssistant(config.assistant, {
      store,
      broker,
      log,
    });
    // Stops the answers being written, each stored as far as it got.
    closers.push(() => assistant.service.close());
    // The full log only where someone may read it: the admin.
    const logs = startLogRelay(broker, log, {
      detail: config.access.adminToken !== null,
    });
    closers.push(logs.stop);
    const adminStats = config.access.adminToken === null
      ? null
      : await startAdminStats({
        broker,
        hub: herald.hub,
        metrics,
        intervalMs: config.adminStatsMs,
      });
    if (adminStats) closers.push(adminStats.stop);
    // Pushed last, so it runs first: open answers end before the parts go.
    const closing = new AbortController();
    closers.push(() => closing.abort());

    return {
      services: {
        config,
        herald,
        store,
        access,
        chat,
        flights,
        clockRuns,
        assistant,
        log,
        presence,
        closing: closing.signal,
        metrics,
        adminStats,
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

/**
 * A Fresh plugin whose root middleware puts `services` in every request's
 * `ctx.state` and answers it under a request id (lib/app/logs/requests.ts).
 */
export function servicesPlugin(services: AppServices): Plugin {
  return {
    name: "herald-services",
    middlewares: [{
      path: "/",
      middleware: {
        handler: (req, ctx) => {
          Object.assign(ctx.state, services);
          return answerWithRequestId(
            services.log,
            req,
            () => ctx.next(),
            ctx.route ?? "",
          );
        },
      },
    }],
  };
}

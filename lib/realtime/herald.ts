/**
 * A Herald: one broker, the hub that streams its events, and their config; built once
 * in the composition root (ARCHITECTURE.md, The composition root).
 *
 * @module
 */
import type { HeraldMetrics } from "../metrics/metrics.ts";
import type { Broker } from "./types.ts";
import { HeraldLog } from "./observe.ts";
import { type HeraldConfig, maxEventBytes } from "./config.ts";
import { Hub } from "./hub/hub.ts";
import { HistoryGate } from "./history/gate.ts";

export interface Herald {
  broker: Broker;
  hub: Hub;
  config: HeraldConfig;
  /** The process-wide cap on history responses in progress. */
  historyGate: HistoryGate;
  /** The app's metrics, when it keeps them. */
  metrics?: HeraldMetrics;
  /** The app's log: streams, publishes and failures are recorded there. */
  log: HeraldLog;
}

/** A Herald over a given broker; `metrics` and `log` hear the hub and the publish path. */
export function createHerald(
  broker: Broker,
  config: HeraldConfig,
  metrics?: HeraldMetrics,
  log: HeraldLog = new HeraldLog(),
): Herald {
  const hub = new Hub(broker, {
    heartbeatMs: config.heartbeatMs,
    retryMs: config.retryMs,
    subscriberBufferBytes: config.subscriberBufferBytes,
    replayStallMs: config.replayStallMs,
    maxEventBytes: maxEventBytes(config),
    metrics,
    log,
  });
  return {
    broker,
    hub,
    config,
    metrics,
    log,
    historyGate: new HistoryGate(config.historyConcurrency),
  };
}

/** Ends the streams, then the broker. */
export async function closeHeraldInstance(herald: Herald): Promise<void> {
  await herald.hub.close();
  await herald.broker.close();
}

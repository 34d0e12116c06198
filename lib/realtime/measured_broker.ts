/**
 * A broker wrapper that reports each call's duration, each stored event and the
 * broker's health to the metrics, forwarding everything else to the real broker.
 *
 * @module
 */
import type { HeraldMetrics } from "../metrics/metrics.ts";
import type { Broker, HeraldEvent } from "./types.ts";

const TIMED: Record<string, string> = {
  publish: "publish",
  subscribe: "subscribe",
  history: "history",
  head: "head",
  trimmedThrough: "trimmed_through",
};

export function measuredBroker(broker: Broker, metrics: HeraldMetrics): Broker {
  metrics.watchHealth(() => broker.health().healthy);
  return new Proxy(broker, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      const operation = typeof prop === "string" ? TIMED[prop] : undefined;
      if (!operation) return value.bind(target);
      return async (...args: unknown[]) => {
        const started = performance.now();
        try {
          const result = await value.apply(target, args);
          if (operation === "publish") {
            metrics.published((result as HeraldEvent).channel);
          }
          return result;
        } finally {
          metrics.brokerOperation(
            operation,
            (performance.now() - started) / 1000,
          );
        }
      };
    },
  });
}

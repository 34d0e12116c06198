/**
 * A broker that reports to the metrics: every call's duration by operation,
 * each stored event (by channel kind), and its health at scrape time. It
 * forwards everything else untouched, so the broker's own extra members
 * still work (the calls run on the real broker, whose private fields a
 * plain proxy would not reach).
 *
 * @example
 * ```ts
 * const broker = measuredBroker(await createBroker(options), metrics);
 * await broker.publish("news", { data: 1 }); // herald_events_published_total +1
 * ```
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

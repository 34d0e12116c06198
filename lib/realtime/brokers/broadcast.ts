/**
 * The BroadcastChannel broker, for development; what it cannot promise is in
 * ARCHITECTURE.md (The brokers, broadcast).
 *
 * @example
 * ```ts
 * const a = new BroadcastBroker({ channelName: "herald-dev" });
 * await a.publish("room:1", { data: "hi" });
 * ```
 *
 * @module
 */
import type { BrokerHealth, HeraldEvent } from "../types.ts";
import { IdClock, isEventId, randomOrigin } from "./event_id.ts";
import { MemoryBroker } from "./memory.ts";
import type { BroadcastBrokerOptions } from "./options.ts";

/** What travels on the BroadcastChannel. */
interface Envelope {
  herald: 1;
  event: HeraldEvent;
}

/** The memory broker, plus a relay of every publish to the other instances. */
export class BroadcastBroker extends MemoryBroker {
  override readonly name = "broadcast" as const;
  readonly channelName: string;
  #bc: BroadcastChannel;

  constructor(options: Partial<Omit<BroadcastBrokerOptions, "broker">> = {}) {
    super(options.history, new IdClock(randomOrigin()));
    this.channelName = options.channelName ?? "herald";
    this.#bc = new BroadcastChannel(this.channelName);
    this.#bc.onmessage = (msg) => this.#receive(msg.data);
  }

  override health(): BrokerHealth {
    const health = super.health();
    return health.healthy
      ? {
        ...health,
        detail:
          "BroadcastChannel: no persistence, same-process workers only on the CLI",
      }
      : health;
  }

  override close(): Promise<void> {
    if (!this.closed) {
      this.#bc.onmessage = null;
      this.#bc.close();
    }
    return super.close();
  }

  protected override announce(event: HeraldEvent): void {
    this.#bc.postMessage({ herald: 1, event } satisfies Envelope);
  }

  #receive(raw: unknown): void {
    if (this.closed || !isEnvelope(raw)) return;
    this.clock.observe(raw.event.id);
    this.accept(raw.event);
  }
}

function isEnvelope(raw: unknown): raw is Envelope {
  if (typeof raw !== "object" || raw === null) return false;
  const { herald, event } = raw as Partial<Envelope>;
  return herald === 1 && typeof event === "object" && event !== null &&
    isEventId(event.id) && typeof event.channel === "string" &&
    typeof event.event === "string" && typeof event.time === "number";
}

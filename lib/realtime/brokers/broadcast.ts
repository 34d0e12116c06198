/**
 * The BroadcastChannel broker, for development: isolates and workers that can
 * reach one another through a `BroadcastChannel` of the same name share live
 * events. Each instance keeps its own bounded history of what it published or
 * saw.
 *
 * What it cannot promise (quote this where the broker is offered):
 * - **No persistence.** History lives in each isolate's memory and is gone
 *   when the isolate stops.
 * - **History only from when the isolate started.** A new isolate has no past
 *   events; a client that resumes on it gets a partial replay and no gap
 *   notice for what it never saw.
 * - **Reach.** With the Deno CLI, a BroadcastChannel links the workers of ONE
 *   process only, not separate processes. On Deno Deploy it links the isolates
 *   the platform connects (best effort, and not necessarily those of other
 *   regions); a message to an isolate that is starting or stopping can be lost,
 *   and nothing retries it.
 * - **Order across isolates only as good as the clocks.** Ids are a hybrid
 *   logical clock (wall time in µs, pushed past every id seen) plus a random
 *   per-instance tag, so they never collide and order each isolate's own
 *   events; two isolates publishing at nearly the same moment may order their
 *   events differently from real time, and a late arrival can be delivered
 *   after an event with a higher id (it is still put in its place in history).
 * - **Head only of what this instance saw.** `head()` is the newest id it
 *   published or received; a peer's event with a lower id that arrives later
 *   is not sent by a hub stream that already went past it (streams send ids
 *   in strictly increasing order), though it is in this instance's history.
 * - **No loss notice.** A subscription's `onLost` is never called: a peer's
 *   message that never arrived leaves no trace this instance could see.
 * - **No health signal about peers.** It reports healthy until closed; it
 *   cannot tell whether any other isolate is listening.
 *
 * @example
 * ```ts
 * const a = new BroadcastBroker({ channelName: "herald-dev" });
 * const b = new BroadcastBroker({ channelName: "herald-dev" });
 * await b.subscribe("room:1", (e) => console.log(e.data)); // gets "hi"
 * await a.publish("room:1", { data: "hi" });
 * ```
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

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
import type {
  Broker,
  BrokerHealth,
  HeraldEvent,
  HistoryOptions,
  PublishMessage,
  Unsubscribe,
} from "../types.ts";
import { type HistoryBounds, resolveBounds } from "./bounds.ts";
import { ChannelLog } from "./channel_log.ts";
import { BrokerClosedError } from "./errors.ts";
import { IdClock, isEventId, newestId, randomOrigin } from "./event_id.ts";
import { type Listener, Listeners } from "./listeners.ts";
import type { BroadcastBrokerOptions } from "./options.ts";
import { payloadCopy } from "./payload.ts";
import { settled } from "./settled.ts";

/** What travels on the BroadcastChannel. */
interface Envelope {
  herald: 1;
  event: HeraldEvent;
}

export class BroadcastBroker implements Broker {
  readonly name = "broadcast" as const;
  readonly bounds: HistoryBounds;
  readonly channelName: string;
  #bc: BroadcastChannel;
  #clock = new IdClock(randomOrigin());
  #logs = new Map<string, ChannelLog>();
  #listeners = new Listeners();
  /** The newest id published here or received from a peer (history holds it). */
  #head: string | null = null;
  #closed = false;

  constructor(options: Partial<Omit<BroadcastBrokerOptions, "broker">> = {}) {
    this.bounds = resolveBounds(options.history);
    this.channelName = options.channelName ?? "herald";
    this.#bc = new BroadcastChannel(this.channelName);
    this.#bc.onmessage = (msg) => this.#receive(msg.data);
  }

  publish(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    return settled(() => {
      this.#open();
      const now = Date.now();
      const event: HeraldEvent = {
        id: this.#clock.next(now),
        channel,
        event: msg.event ?? "message",
        data: payloadCopy(msg.data),
        time: now,
      };
      this.#log(channel).append(event, now);
      this.#head = newestId(this.#head, event.id);
      this.#bc.postMessage({ herald: 1, event } satisfies Envelope);
      this.#listeners.deliver(event);
      return event;
    });
  }

  subscribe(channel: string, onEvent: Listener): Promise<Unsubscribe> {
    return settled(() => {
      this.#open();
      this.#listeners.add(channel, onEvent);
      return () =>
        settled(() => {
          this.#listeners.remove(channel, onEvent);
        });
    });
  }

  history(channel: string, opts?: HistoryOptions): Promise<HeraldEvent[]> {
    return settled(() => {
      this.#open();
      return this.#logs.get(channel)?.history(opts) ?? [];
    });
  }

  trimmedThrough(channel: string): Promise<string | null> {
    return settled(() => {
      this.#open();
      return this.#logs.get(channel)?.trimmedThrough() ?? null;
    });
  }

  head(): Promise<string | null> {
    return settled(() => {
      this.#open();
      return this.#head;
    });
  }

  health(): BrokerHealth {
    return this.#closed
      ? { broker: this.name, healthy: false, detail: "closed" }
      : {
        broker: this.name,
        healthy: true,
        detail:
          "BroadcastChannel: no persistence, same-process workers only on the CLI",
      };
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#bc.onmessage = null;
      this.#bc.close();
      this.#listeners.clear();
      this.#logs.clear();
    }
    return Promise.resolve();
  }

  #receive(raw: unknown): void {
    if (this.#closed || !isEnvelope(raw)) return;
    const { event } = raw;
    this.#clock.observe(event.id);
    if (!this.#log(event.channel).append(event)) return;
    this.#head = newestId(this.#head, event.id);
    this.#listeners.deliver(event);
  }

  #log(channel: string): ChannelLog {
    let log = this.#logs.get(channel);
    if (!log) this.#logs.set(channel, log = new ChannelLog(this.bounds));
    return log;
  }

  #open(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
  }
}

function isEnvelope(raw: unknown): raw is Envelope {
  if (typeof raw !== "object" || raw === null) return false;
  const { herald, event } = raw as Partial<Envelope>;
  return herald === 1 && typeof event === "object" && event !== null &&
    isEventId(event.id) && typeof event.channel === "string" &&
    typeof event.event === "string" && typeof event.time === "number";
}

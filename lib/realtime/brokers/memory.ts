/**
 * The in-process broker: history and fan-out in this process only; the reference the
 * conformance suite checks the others against.
 *
 * @module
 */
import type {
  Broker,
  BrokerHealth,
  HeraldEvent,
  HistoryOptions,
  LostEvents,
  PublishMessage,
  Unsubscribe,
} from "../types.ts";
import { type HistoryBounds, resolveBounds } from "./bounds.ts";
import { ChannelLog } from "./channel_log.ts";
import { BrokerClosedError } from "./errors.ts";
import { type IdClock, newestId } from "./event_id.ts";
import { type Listener, Listeners } from "./listeners.ts";
import { processClock } from "./process_clock.ts";
import { payloadCopy } from "./payload.ts";
import { settled } from "./settled.ts";

export class MemoryBroker implements Broker {
  readonly name: "memory" | "broadcast" = "memory";
  readonly bounds: HistoryBounds;
  #logs = new Map<string, ChannelLog>();
  #listeners = new Listeners();
  /** The newest id stored here (history holds it at once). */
  #head: string | null = null;
  #closed = false;

  constructor(
    bounds: Partial<HistoryBounds> = {},
    /** Mints ids; the process's one clock unless a subclass brings its own. */
    protected readonly clock: IdClock = processClock,
  ) {
    this.bounds = resolveBounds(bounds);
  }

  publish(channel: string, msg: PublishMessage): Promise<HeraldEvent> {
    return settled(() => {
      this.#open();
      const now = Date.now();
      const event: HeraldEvent = {
        id: this.clock.next(now),
        channel,
        event: msg.event ?? "message",
        data: payloadCopy(msg.data),
        time: now,
      };
      this.accept(event, now);
      this.announce(event);
      return event;
    });
  }

  /** `_onLost` is never called: delivery happens in the publish itself. */
  subscribe(
    channel: string,
    onEvent: Listener,
    _onLost?: (info: LostEvents) => void,
  ): Promise<Unsubscribe> {
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
      : { broker: this.name, healthy: true };
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
    this.#logs.clear();
    return Promise.resolve();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Stores an event in its channel's history and delivers it to this
   * process's subscribers; false (and nothing delivered) when history holds
   * it already or has trimmed past it.
   */
  protected accept(event: HeraldEvent, now?: number): boolean {
    if (!this.#log(event.channel).append(event, now)) return false;
    this.#head = newestId(this.#head, event.id);
    this.#listeners.deliver(event);
    return true;
  }

  /** Tells other instances about an event published here (the memory broker has none). */
  protected announce(_event: HeraldEvent): void {}

  #log(channel: string): ChannelLog {
    let log = this.#logs.get(channel);
    if (!log) this.#logs.set(channel, log = new ChannelLog(this.bounds));
    return log;
  }

  #open(): void {
    if (this.#closed) throw new BrokerClosedError(this.name);
  }
}

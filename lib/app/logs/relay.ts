/**
 * Publishes Herald's own log records to the log channels for /logs: redacted on the
 * public one, in full on the admin's, batched per level, never about itself.
 *
 * @module
 */
import type { HeraldLog, HeraldLogRecord } from "../../realtime/observe.ts";
import type { Broker, PublishMessage } from "../../realtime/types.ts";
import {
  DETAIL_LOG_CHANNEL,
  LEVELS,
  LOG_CHANNEL,
  type LogBatch,
  logEventName,
  type LogLevel,
} from "./entry.ts";
import { redactFields, redactText } from "./redact.ts";

export interface LogRelayOptions {
  channel?: string;
  /** Longest time a record waits; default 500 ms. */
  flushMs?: number;
  /** Most records per level and flush; default 100. */
  maxPerFlush?: number;
  /** Publish records in full; default false: redacted for anyone to read. */
  detail?: boolean;
  publish: (channel: string, msg: PublishMessage) => Promise<unknown>;
}

/** True when a record is about the log channel itself (publishing it would feed a loop). */
export function isAboutChannel(
  record: HeraldLogRecord,
  channel: string,
): boolean {
  const f = record.fields;
  if (f.channel === channel) return true;
  return Array.isArray(f.channels) && f.channels.length === 1 &&
    f.channels[0] === channel && /publish/i.test(record.message);
}

export class LogRelay {
  readonly channel: string;
  #opts: Required<Omit<LogRelayOptions, "channel">>;
  #pending = new Map<LogLevel, LogBatch>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(opts: LogRelayOptions) {
    this.channel = opts.channel ?? LOG_CHANNEL;
    this.#opts = {
      flushMs: opts.flushMs ?? 500,
      maxPerFlush: opts.maxPerFlush ?? 100,
      detail: opts.detail ?? false,
      publish: opts.publish,
    };
  }

  /** Queues one record (or skips it, see the module doc). */
  push(record: HeraldLogRecord): void {
    if (this.#closed || isAboutChannel(record, this.channel)) return;
    const level = (LEVELS as readonly string[]).includes(record.level)
      ? record.level
      : "info";
    let batch = this.#pending.get(level);
    if (!batch) this.#pending.set(level, batch = { entries: [], dropped: 0 });
    if (batch.entries.length < this.#opts.maxPerFlush) {
      const { detail } = this.#opts;
      batch.entries.push({
        time: record.time,
        message: detail ? record.message : redactText(record.message),
        fields: detail ? record.fields : redactFields(record.fields),
      });
    } else batch.dropped++;
    this.#timer ??= setTimeout(() => this.flush(), this.#opts.flushMs);
  }

  /** Publishes what is queued now. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batches = [...this.#pending];
    this.#pending.clear();
    await Promise.all(
      batches.map(([level, data]) =>
        this.#opts.publish(this.channel, { event: logEventName(level), data })
          .catch(
            (err) => {
              // Not through the HeraldLog: that would queue another record about this failure.
              console.error(`herald: could not publish logs: ${err}`);
            },
          )
      ),
    );
  }

  /** Publishes what is left and stops. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }
}

/** Relays `log`'s records into `broker` (redacted; with `detail`, also in full into {@link DETAIL_LOG_CHANNEL}) until stopped. */
export function startLogRelay(
  broker: Pick<Broker, "publish">,
  log: HeraldLog,
  opts: { detail?: boolean } = {},
): { relay: LogRelay; stop: () => Promise<void> } {
  const publish = (channel: string, msg: PublishMessage) =>
    broker.publish(channel, msg);
  const relay = new LogRelay({ publish });
  const detail = opts.detail
    ? new LogRelay({ publish, channel: DETAIL_LOG_CHANNEL, detail: true })
    : null;
  const unsubscribe = log.on((record) => {
    relay.push(record);
    detail?.push(record);
  });
  return {
    relay,
    stop: async () => {
      unsubscribe();
      await Promise.all([relay.close(), detail?.close()]);
    },
  };
}

/**
 * Starts and drives the subscriber client processes (`bench/subscriber_client.ts`)
 * for one target: splits N subscriptions between them, sends each command to
 * all, and merges their replies.
 *
 * @example
 * ```ts
 * await using clients = await SubscriberClients.open({ url, subscribers: 1000, processes: 1 });
 * const status = await clients.status();
 * ```
 * @module
 */
import type {
  ClientCommand,
  ClientReply,
  ClientStatus,
  StepReport,
} from "./client_protocol.ts";
import { LatencyHistogram } from "./latency_histogram.ts";
import { LineProcess } from "./line_process.ts";

const CLIENT_ENTRY = new URL("../subscriber_client.ts", import.meta.url)
  .pathname;

/** One step's receipts, merged over all client processes. */
export interface MergedStep {
  received: number;
  duplicates: number;
  firstAt: number;
  lastAt: number;
  histogram: LatencyHistogram;
}

export interface SubscriberClientsOptions {
  /** The SSE URL every subscription opens. */
  url: string;
  subscribers: number;
  /** Client processes to split the subscriptions between. */
  processes: number;
  /** How long to wait for all subscriptions to open, ms. */
  connectTimeoutMs?: number;
}

class ClientProcess {
  #process: LineProcess;

  constructor(url: string, count: number) {
    this.#process = new LineProcess(Deno.execPath(), [
      "run",
      "-A",
      CLIENT_ENTRY,
      `--url=${url}`,
      `--count=${count}`,
    ]);
  }

  get pid(): number {
    return this.#process.pid;
  }

  async next(timeoutMs: number): Promise<ClientReply> {
    return JSON.parse(await this.#process.next(timeoutMs));
  }

  async send(command: ClientCommand): Promise<ClientReply> {
    return JSON.parse(await this.#process.send(JSON.stringify(command)));
  }

  stop(): Promise<void> {
    return this.#process.stop(JSON.stringify({ cmd: "close" }));
  }
}

export class SubscriberClients implements AsyncDisposable {
  #processes: ClientProcess[];

  private constructor(processes: ClientProcess[]) {
    this.#processes = processes;
  }

  /** Starts the client processes and waits until each has opened its share. */
  static async open(opts: SubscriberClientsOptions): Promise<{
    clients: SubscriberClients;
    status: ClientStatus;
  }> {
    const shares = Array.from(
      { length: opts.processes },
      (_, i) =>
        Math.floor(opts.subscribers / opts.processes) +
        (i < opts.subscribers % opts.processes ? 1 : 0),
    ).filter((n) => n > 0);
    const processes = shares.map((n) => new ClientProcess(opts.url, n));
    const clients = new SubscriberClients(processes);
    try {
      const replies = await Promise.all(
        processes.map((p) => p.next(opts.connectTimeoutMs ?? 120_000)),
      );
      return { clients, status: mergeStatus(replies) };
    } catch (err) {
      await clients.stop();
      throw err;
    }
  }

  /** Process ids of the client processes. */
  get pids(): number[] {
    return this.#processes.map((p) => p.pid);
  }

  async status(): Promise<ClientStatus> {
    return mergeStatus(
      await Promise.all(this.#processes.map((p) => p.send({ cmd: "status" }))),
    );
  }

  async step(
    step: number,
  ): Promise<{ status: ClientStatus; step: MergedStep }> {
    const replies = await Promise.all(
      this.#processes.map((p) => p.send({ cmd: "step", step })),
    );
    const merged: MergedStep = {
      received: 0,
      duplicates: 0,
      firstAt: Infinity,
      lastAt: 0,
      histogram: new LatencyHistogram(),
    };
    for (const reply of replies) {
      if (reply.type !== "step") throw new Error(`unexpected ${reply.type}`);
      const s: StepReport = reply.step;
      merged.received += s.received;
      merged.duplicates += s.duplicates;
      if (s.received > 0) {
        merged.firstAt = Math.min(merged.firstAt, s.firstAt);
        merged.lastAt = Math.max(merged.lastAt, s.lastAt);
      }
      merged.histogram.merge(LatencyHistogram.fromJSON(s.histogram));
    }
    if (merged.firstAt === Infinity) merged.firstAt = 0;
    return { status: mergeStatus(replies), step: merged };
  }

  async stop(): Promise<void> {
    await Promise.all(this.#processes.map((p) => p.stop()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function mergeStatus(replies: ClientReply[]): ClientStatus {
  const total: ClientStatus = {
    open: 0,
    withProbe: 0,
    closedByServer: 0,
    failed: 0,
    errors: [],
  };
  for (const r of replies) {
    if (r.type === "closed") continue;
    total.open += r.open;
    total.withProbe += r.withProbe;
    total.closedByServer += r.closedByServer;
    total.failed += r.failed;
    total.errors.push(...r.errors.slice(0, 5 - total.errors.length));
  }
  return total;
}

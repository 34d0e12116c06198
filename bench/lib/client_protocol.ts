/**
 * The line protocol between the benchmark driver and its subscriber client
 * processes (`bench/subscriber_client.ts`): one JSON command per stdin line,
 * one JSON reply per stdout line.
 *
 * @module
 */
import type { HistogramJSON } from "./latency_histogram.ts";

export type ClientCommand =
  | { cmd: "status" }
  | { cmd: "step"; step: number }
  | { cmd: "close" };

/** The connection state of one client process. */
export interface ClientStatus {
  /** Subscriptions currently open. */
  open: number;
  /** Subscriptions that received at least one probe message (step 0). */
  withProbe: number;
  /** Subscriptions the server closed. */
  closedByServer: number;
  /** Subscriptions that never opened (connect error or non-200). */
  failed: number;
  /** A few error messages, for the report. */
  errors: string[];
}

/** What one client process received during one step. */
export interface StepReport {
  /** Events received (duplicates excluded). */
  received: number;
  /** Events the same connection had already received. */
  duplicates: number;
  /** Epoch ms of the first and last receipt (0 when none). */
  firstAt: number;
  lastAt: number;
  histogram: HistogramJSON;
}

export type ClientReply =
  | ({ type: "ready" } & ClientStatus)
  | ({ type: "status" } & ClientStatus)
  | ({ type: "step"; step: StepReport } & ClientStatus)
  | { type: "closed" };

/**
 * Herald's log records on standard output as `HERALD_LOG_FORMAT` says (`none`, `text`
 * or `json`), in full: standard output is the operator's.
 *
 * @module
 */
import { envChoice, type EnvSource } from "../../config/env.ts";
import type { HeraldLog, HeraldLogRecord } from "../../realtime/observe.ts";

export const LOG_FORMATS = ["none", "text", "json"] as const;
export type LogFormat = typeof LOG_FORMATS[number];

/** `HERALD_LOG_FORMAT`; throws naming it on a bad value. */
export function logFormatFromEnv(env: EnvSource): LogFormat {
  return envChoice(env, "HERALD_LOG_FORMAT", LOG_FORMATS, "none");
}

/** One line for `record` in `format`. */
export function formatRecord(
  record: HeraldLogRecord,
  format: "text" | "json",
): string {
  const time = new Date(record.time).toISOString();
  if (format === "json") {
    return JSON.stringify({
      time,
      level: record.level,
      msg: record.message,
      ...record.fields,
    });
  }
  const fields = Object.entries(record.fields)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(" ");
  return `${time} ${record.level} ${record.message}${
    fields ? ` ${fields}` : ""
  }`;
}

/** Prints every record of `log` from now on; returns the stop function. */
export function startLogPrinter(
  log: HeraldLog,
  format: LogFormat,
): () => void {
  if (format === "none") return () => {};
  return log.on((record) => console.log(formatRecord(record, format)));
}

/**
 * The assistant's data shared by the server and the island: its channels (a
 * session's private channels, lib/access/policy.ts), the events they carry, and
 * what a page shows (ARCHITECTURE.md, The assistant).
 *
 * @module
 */
import { sessionChannelPrefix } from "../../access/policy.ts";

/** Longest question, in characters. */
export const QUESTION_MAX = 500;

/** The session's list of finished answers: `started` and `answer` events. */
export function answersChannel(sessionId: string): string {
  return `${sessionChannelPrefix(sessionId)}assistant-answers`;
}

/** One answer's channel: its `delta` events, then one `done`. */
export function answerChannel(sessionId: string, answerId: string): string {
  return `${sessionChannelPrefix(sessionId)}assistant.${answerId}`;
}

/** Answer ids are 32 lowercase hex digits (a random UUID without dashes). */
export const ANSWER_ID = /^[0-9a-f]{32}$/;

/** `delta` on an answer's channel: token `i` (from 0) is `t`; the text is every `t` in order. */
export interface Delta {
  i: number;
  t: string;
}

/** `done` on an answer's channel: `count` tokens were sent; `stopped` when cut short. */
export interface Done {
  count: number;
  stopped: boolean;
}

/** `started` on the answers channel: an answer is being written (other tabs follow it). */
export interface Started {
  answerId: string;
  question: string;
  /** 0 for the first answer to a question, +1 per regenerate. */
  attempt: number;
}

/** `answer` on the answers channel: a finished answer, stored as one message. */
export interface StoredAnswer extends Started {
  text: string;
  /** How many tokens the text has. */
  tokens: number;
  stopped: boolean;
}

/** The answer being written, as far as it got. */
export interface RunningAnswer extends Started {
  tokens: string[];
}

/** What the page shows: earlier answers (oldest first) and the one being written. */
export interface AssistantState {
  answers: StoredAnswer[];
  running: RunningAnswer | null;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const isCount = (v: unknown): v is number =>
  typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The `delta` payload, or null when it is not one (skipped, never rendered). */
export function toDelta(data: unknown): Delta | null {
  if (!isRecord(data) || !isCount(data.i) || typeof data.t !== "string") {
    return null;
  }
  return { i: data.i, t: data.t };
}

/** The `done` payload, or null. */
export function toDone(data: unknown): Done | null {
  if (!isRecord(data) || !isCount(data.count)) return null;
  return { count: data.count, stopped: data.stopped === true };
}

/** The `started` payload, or null. */
export function toStarted(data: unknown): Started | null {
  if (
    !isRecord(data) || typeof data.answerId !== "string" ||
    !ANSWER_ID.test(data.answerId) || typeof data.question !== "string" ||
    !isCount(data.attempt)
  ) return null;
  return {
    answerId: data.answerId,
    question: data.question,
    attempt: data.attempt,
  };
}

/** The `answer` payload, or null. */
export function toStoredAnswer(data: unknown): StoredAnswer | null {
  const started = toStarted(data);
  if (
    !started || !isRecord(data) || typeof data.text !== "string" ||
    !isCount(data.tokens)
  ) return null;
  return {
    ...started,
    text: data.text,
    tokens: data.tokens,
    stopped: data.stopped === true,
  };
}

/** The tokens 0..n-1 of `deltas` without gaps (duplicates dropped); stops at the first gap. */
export function tokensFrom(deltas: readonly Delta[], into: string[] = []) {
  const tokens = [...into];
  for (const d of [...deltas].sort((a, b) => a.i - b.i)) {
    if (d.i === tokens.length) tokens.push(d.t);
    else if (d.i > tokens.length) break;
  }
  return tokens;
}

/**
 * The assistant: answers written token by token from a {@link TextSource} as
 * `delta` events on the answer's channel, then `done`, and stored as one
 * `answer` message on the session's answers channel; one running answer per
 * session, stop and regenerate (ARCHITECTURE.md, The assistant).
 *
 * @module
 */
import { envFlag, envInt, type EnvSource } from "../../config/env.ts";
import { HttpError } from "../../http/error.ts";
import { readHistoryPage } from "../../realtime/history/reader.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import type { Broker } from "../../realtime/types.ts";
import type { AppStore } from "../store/types.ts";
import type { Pace } from "./pace.ts";
import type { TextSource } from "./text_source.ts";
import {
  answerChannel,
  answersChannel,
  type AssistantState,
  type Delta,
  type Done,
  QUESTION_MAX,
  type RunningAnswer,
  type Started,
  type StoredAnswer,
  toDelta,
  tokensFrom,
  toStoredAnswer,
} from "./types.ts";

export interface AssistantOptions {
  /** Milliseconds between tokens (`HERALD_ASSISTANT_PACE_MS`). */
  paceMs: number;
  /** Tokens only by `POST /assistant/step` (`HERALD_ASSISTANT_STEP`, tests and demos). */
  step: boolean;
  /** Longest answer, in tokens (`HERALD_ASSISTANT_MAX_TOKENS`). */
  maxTokens: number;
  /** Earlier answers a page lists (`HERALD_ASSISTANT_HISTORY`). */
  listLimit: number;
  /** Answers one address may have running in this process (`HERALD_ASSISTANT_RUNNING_PER_IP`). */
  runningPerAddress: number;
  /** Answers this process writes at once (`HERALD_ASSISTANT_RUNNING_MAX`). */
  runningMax: number;
}

/**
 * A page catches an answer up from its channel's history in one read of at
 * most 200 events (lib/client/catch_up.ts): an answer and its `done` fit.
 */
export const MAX_TOKENS_LIMIT = 190;

export function assistantOptionsFromEnv(
  env: EnvSource = Deno.env,
): AssistantOptions {
  const maxTokens = envInt(env, "HERALD_ASSISTANT_MAX_TOKENS", 120);
  if (maxTokens > MAX_TOKENS_LIMIT) {
    throw new Error(
      `HERALD_ASSISTANT_MAX_TOKENS must be at most ${MAX_TOKENS_LIMIT}, got ${maxTokens}`,
    );
  }
  return {
    paceMs: envInt(env, "HERALD_ASSISTANT_PACE_MS", 60),
    step: envFlag(env, "HERALD_ASSISTANT_STEP", false),
    maxTokens,
    listLimit: envInt(env, "HERALD_ASSISTANT_HISTORY", 20),
    runningPerAddress: envInt(env, "HERALD_ASSISTANT_RUNNING_PER_IP", 3),
    runningMax: envInt(env, "HERALD_ASSISTANT_RUNNING_MAX", 100),
  };
}

/** Who asks: the session (whose channels the answer goes to) and its address. */
export interface Asker {
  sessionId: string;
  ip: string;
}

/** What the store keeps while an answer is written (one per session). */
interface RunningEntry extends Started {
  startedAt: number;
  /** Set by a stop that reached another process: the writer stops at its next token. */
  stop?: true;
}

/** An answer this process writes. */
interface Run {
  asker: Asker;
  entry: RunningEntry;
  controller: AbortController;
  done: Promise<void>;
}

const runningKey = (sessionId: string) => ["assistant", "running", sessionId];

/** The running entry outlives a dead writer by at most this long; renewed meanwhile. */
const RUNNING_TTL_MS = 60_000;

/** How many of a session's newest answers a regenerate looks through. */
const REGENERATE_LOOKBACK = 100;

/** A checked question: trimmed, 1..{@link QUESTION_MAX} characters. */
export function validQuestion(value: unknown): string {
  const question = typeof value === "string" ? value.trim() : "";
  if (question === "" || [...question].length > QUESTION_MAX) {
    throw new HttpError(
      400,
      "invalid_question",
      `The question must be 1-${QUESTION_MAX} characters.`,
    );
  }
  return question;
}

export class AssistantService {
  readonly #runs = new Map<string, Run>();
  readonly #perAddress = new Map<string, number>();
  /** Answers counted against the caps: running, or being claimed. */
  #running = 0;
  #closed = false;

  constructor(
    readonly deps: {
      store: AppStore;
      broker: Pick<Broker, "publish" | "history">;
      source: TextSource;
      pace: Pace;
      log?: HeraldLog;
    },
    readonly options: AssistantOptions,
  ) {}

  /** Starts an answer to `question`; 409 while the session has one running. */
  async ask(asker: Asker, question: string, attempt = 0): Promise<Started> {
    if (this.#closed) {
      throw new HttpError(503, "closing", "The server is shutting down.");
    }
    if (this.#running >= this.options.runningMax) {
      throw new HttpError(
        503,
        "assistant_busy",
        "The assistant is writing too many answers; try again shortly.",
        { "retry-after": "5" },
      );
    }
    const mine = this.#perAddress.get(asker.ip) ?? 0;
    if (mine >= this.options.runningPerAddress) {
      throw new HttpError(
        429,
        "too_many_answers",
        `This address already has ${mine} answers being written; stop one or wait.`,
        { "retry-after": "5" },
      );
    }
    // Counted before the first await, so concurrent asks cannot all pass the caps.
    this.#running++;
    this.#perAddress.set(asker.ip, mine + 1);
    const entry: RunningEntry = {
      answerId: crypto.randomUUID().replaceAll("-", ""),
      question,
      attempt,
      startedAt: Date.now(),
    };
    const { store, broker } = this.deps;
    const key = runningKey(asker.sessionId);
    const claimed = await store.setIfAbsent(key, entry, {
      ttlMs: RUNNING_TTL_MS,
    }).catch((err) => {
      this.#uncount(asker.ip);
      throw err;
    });
    if (!claimed) {
      this.#uncount(asker.ip);
      throw new HttpError(
        409,
        "answer_running",
        "An answer is still being written; stop it first.",
      );
    }
    const started: Started = { answerId: entry.answerId, question, attempt };
    const run: Run = {
      asker,
      entry,
      controller: new AbortController(),
      done: Promise.resolve(),
    };
    this.#runs.set(entry.answerId, run);
    // Paced from now on, so `POST /assistant/step` after this answer reaches it.
    const pacer = this.deps.pace.start();
    // Renewed on a timer, not per token: a paused pace must not free the session.
    const renewal = setInterval(
      () =>
        this.#renew(run).catch((err) =>
          this.#log("renewing an answer failed", err)
        ),
      RUNNING_TTL_MS / 3,
    );
    run.done = (async () => {
      let answer: StoredAnswer | null = null;
      try {
        await broker.publish(answersChannel(asker.sessionId), {
          event: "started",
          data: started,
        });
        answer = await this.#write(run, pacer);
      } catch (err) {
        this.#log("an answer failed", err);
      } finally {
        pacer.end();
        clearInterval(renewal);
        this.#runs.delete(entry.answerId);
        this.#uncount(asker.ip);
        // Freed before the answer is stored: a page that sees it may ask again at once.
        await this.#release(run).catch((err) =>
          this.#log("releasing an answer failed", err)
        );
      }
      if (answer) {
        await this.#store(asker.sessionId, answer).catch((err) =>
          this.#log("storing an answer failed", err)
        );
      }
    })();
    return started;
  }

  /** A new answer to the question of the stored answer `answerId` (the next attempt); 404 when unknown. */
  async regenerate(asker: Asker, answerId: string): Promise<Started> {
    const stored = await this.#stored(asker.sessionId, REGENERATE_LOOKBACK);
    const earlier = stored.find((a) => a.answerId === answerId);
    if (!earlier) {
      throw new HttpError(
        404,
        "answer_not_found",
        "There is no finished answer with that id to regenerate.",
      );
    }
    const attempt = stored.filter((a) => a.question === earlier.question)
      .reduce((n, a) => Math.max(n, a.attempt), earlier.attempt) + 1;
    return await this.ask(asker, earlier.question, attempt);
  }

  /**
   * Stops the session's answer `answerId`; false when it is not running. The
   * writer, here or in another process, stores what it wrote so far.
   */
  async stop(sessionId: string, answerId: string): Promise<boolean> {
    const local = this.#runs.get(answerId);
    if (local && local.asker.sessionId === sessionId) {
      local.controller.abort();
      return true;
    }
    const key = runningKey(sessionId);
    const entry = await this.deps.store.get<RunningEntry>(key);
    if (!entry || entry.answerId !== answerId) return false;
    if (entry.stop) return true;
    return await this.deps.store.compareAndSet(key, entry, {
      ...entry,
      stop: true,
    }, { ttlMs: RUNNING_TTL_MS });
  }

  /** What the session's page shows: earlier answers and the one being written. */
  async state(sessionId: string): Promise<AssistantState> {
    const entry = await this.deps.store.get<RunningEntry>(
      runningKey(sessionId),
    );
    const answers = await this.#stored(sessionId, this.options.listLimit);
    if (!entry || answers.some((a) => a.answerId === entry.answerId)) {
      return { answers, running: null };
    }
    const { events } = await readHistoryPage(
      this.deps.broker,
      answerChannel(sessionId, entry.answerId),
      { limit: MAX_TOKENS_LIMIT + 10 },
    );
    const deltas = events.filter((e) => e.event === "delta")
      .map((e) => toDelta(e.data)).filter((d): d is Delta => d !== null);
    const running: RunningAnswer = {
      answerId: entry.answerId,
      question: entry.question,
      attempt: entry.attempt,
      tokens: tokensFrom(deltas),
    };
    return { answers, running };
  }

  /** Stops every answer (each stored as far as it got); resolves once they are. */
  async close(): Promise<void> {
    this.#closed = true;
    const runs = [...this.#runs.values()];
    for (const run of runs) run.controller.abort();
    await Promise.all(runs.map((run) => run.done));
  }

  #uncount(ip: string) {
    this.#running--;
    const left = (this.#perAddress.get(ip) ?? 1) - 1;
    if (left > 0) this.#perAddress.set(ip, left);
    else this.#perAddress.delete(ip);
  }

  /** The session's finished answers, oldest first (the newest `limit`). */
  async #stored(sessionId: string, limit: number): Promise<StoredAnswer[]> {
    const { events } = await readHistoryPage(
      this.deps.broker,
      answersChannel(sessionId),
      { limit: limit * 2 }, // each answer also has its `started`
    );
    return events.filter((e) => e.event === "answer")
      .map((e) => toStoredAnswer(e.data))
      .filter((a): a is StoredAnswer => a !== null)
      .slice(-limit);
  }

  /** Publishes the tokens as they come; returns the answer they make. */
  async #write(
    run: Run,
    pacer: ReturnType<Pace["start"]>,
  ): Promise<StoredAnswer> {
    const { broker, source } = this.deps;
    const { asker, entry, controller } = run;
    const { signal } = controller;
    const channel = answerChannel(asker.sessionId, entry.answerId);
    const tokens: string[] = [];
    const prompt = {
      question: entry.question,
      attempt: entry.attempt,
      maxTokens: this.options.maxTokens,
    };
    try {
      for await (const token of source.generate(prompt, signal)) {
        await pacer.next(signal);
        if (await this.#stopAsked(run)) break;
        await broker.publish(channel, {
          event: "delta",
          data: { i: tokens.length, t: token } satisfies Delta,
        });
        tokens.push(token);
        if (tokens.length >= this.options.maxTokens) break;
      }
    } catch (err) {
      if (!signal.aborted) throw err;
    }
    return {
      answerId: entry.answerId,
      question: entry.question,
      attempt: entry.attempt,
      text: tokens.join(""),
      tokens: tokens.length,
      stopped: signal.aborted || run.entry.stop === true,
    };
  }

  /** Stores the answer as one message, then ends its channel with `done`. */
  async #store(sessionId: string, answer: StoredAnswer) {
    const { broker } = this.deps;
    await broker.publish(answersChannel(sessionId), {
      event: "answer",
      data: answer,
    });
    await broker.publish(answerChannel(sessionId, answer.answerId), {
      event: "done",
      data: { count: answer.tokens, stopped: answer.stopped } satisfies Done,
    });
  }

  /** True once a stop reached this answer (here: the signal; elsewhere: the store's flag). */
  async #stopAsked(run: Run): Promise<boolean> {
    if (run.controller.signal.aborted) return true;
    const now = await this.deps.store.get<RunningEntry>(
      runningKey(run.asker.sessionId),
    );
    if (now?.answerId === run.entry.answerId && now.stop) {
      run.entry = now;
      return true;
    }
    return false;
  }

  async #renew(run: Run) {
    const key = runningKey(run.asker.sessionId);
    const now = await this.deps.store.get<RunningEntry>(key);
    if (now?.answerId !== run.entry.answerId) return;
    await this.deps.store.compareAndSet(key, now, now, {
      ttlMs: RUNNING_TTL_MS,
    });
  }

  /** Frees the session for its next answer. */
  async #release(run: Run) {
    const key = runningKey(run.asker.sessionId);
    const now = await this.deps.store.get<RunningEntry>(key);
    if (now?.answerId === run.entry.answerId) {
      await this.deps.store.deleteIf(key, now);
    }
  }

  #log(message: string, err: unknown) {
    const error = err instanceof Error ? err.message : String(err);
    if (this.deps.log) {
      this.deps.log.log("error", `assistant: ${message}`, { error });
    } else console.error(`assistant: ${message}`, err);
  }
}

/**
 * The assistant: the session's earlier answers, the one being written growing
 * token by token from its channel (resumed from `since` after a reload or in
 * another tab), and the question form with stop and regenerate
 * (lib/app/assistant/).
 *
 * @module
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { HeraldEvent } from "../lib/realtime/types.ts";
import { useEventStream } from "../lib/client/hook.ts";
import {
  answerChannel,
  answersChannel,
  type AssistantState,
  type Done,
  QUESTION_MAX,
  type RunningAnswer,
  type Started,
  type StoredAnswer,
  toDelta,
  toDone,
  toStarted,
  toStoredAnswer,
} from "../lib/app/assistant/types.ts";
import { Button } from "../components/Button.tsx";
import { Field, FieldError, TextInput } from "../components/Field.tsx";

export interface AssistantProps {
  initial: AssistantState;
  /** The broker head read before `initial` (lib/app/page/since.ts). */
  since?: string;
  /** The session whose channels the page follows. */
  sessionId: string;
}

/** The answer being written, and its `done` once it came. */
type Live = RunningAnswer & { done?: Done };

/** `answers` with `answer` added (once, by id), oldest first. */
function withAnswer(answers: StoredAnswer[], answer: StoredAnswer) {
  return answers.some((a) => a.answerId === answer.answerId)
    ? answers
    : [...answers, answer];
}

/** The error message of a refused request, in the words the server chose. */
async function refusal(res: Response): Promise<string> {
  const body = await res.json().catch(() => null);
  return body?.error?.message ?? `The server answered ${res.status}.`;
}

async function post(path: string, body: unknown): Promise<Response | string> {
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return res.ok ? res : await refusal(res);
  } catch {
    return "The server could not be reached; try again.";
  }
}

export default function Assistant(
  { initial, since, sessionId }: AssistantProps,
) {
  const [answers, setAnswers] = useState<StoredAnswer[]>(initial.answers);
  const [live, setLive] = useState<Live | null>(initial.running);
  // What the handlers read: events of one batch arrive before a re-render.
  const current = useRef({
    answers: initial.answers,
    live: initial.running as Live | null,
  });
  const show = (next: { answers?: StoredAnswer[]; live?: Live | null }) => {
    if (next.answers) setAnswers(current.current.answers = next.answers);
    if (next.live !== undefined) setLive(current.current.live = next.live);
  };
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);

  /** Takes the server's state: after a gap, or a token that did not follow the last one. */
  const reload = async () => {
    const res = await fetch("/assistant/state").catch(() => null);
    if (!res?.ok) return;
    const state = await res.json() as AssistantState;
    const answers = state.answers.reduce(withAnswer, current.current.answers);
    const now = current.current.live;
    const next = state.running;
    const stored = (id: string) => answers.some((a) => a.answerId === id);
    show({
      answers,
      live: now && stored(now.answerId)
        ? null
        : !next || (now?.answerId === next.answerId &&
            now.tokens.length >= next.tokens.length)
        ? now
        : next,
    });
  };

  /** A new answer began (this tab's ask, or another tab's `started`). */
  const begin = (started: Started) => {
    const { answers, live } = current.current;
    if (live?.answerId === started.answerId) return;
    if (answers.some((a) => a.answerId === started.answerId)) return;
    show({ live: { ...started, tokens: [] } });
  };

  useEventStream({
    channels: [answersChannel(sessionId)],
    events: ["started", "answer"],
    since,
    onEvent: (e) => {
      if (e.event === "started") {
        const started = toStarted(e.data);
        if (started) begin(started);
        return;
      }
      const answer = toStoredAnswer(e.data);
      if (!answer) return;
      const { answers, live } = current.current;
      show({
        answers: withAnswer(answers, answer),
        live: live?.answerId === answer.answerId ? null : live,
      });
    },
    onGap: reload,
  });

  const liveChannel = live ? answerChannel(sessionId, live.answerId) : null;
  useEventStream({
    channels: liveChannel ? [liveChannel] : [],
    events: ["delta", "done"],
    since,
    onEvent: (e: HeraldEvent) => {
      const now = current.current.live;
      if (!now || e.channel !== answerChannel(sessionId, now.answerId)) return;
      if (e.event === "done") {
        const done = toDone(e.data);
        if (!done) return;
        show({ live: { ...now, done } });
        if (done.count > now.tokens.length) reload();
        return;
      }
      const delta = toDelta(e.data);
      if (!delta || delta.i < now.tokens.length) return; // already shown
      if (delta.i > now.tokens.length) {
        reload(); // a token is missing: the server has the answer so far
        return;
      }
      show({ live: { ...now, tokens: [...now.tokens, delta.t] } });
    },
    onGap: reload,
  });

  const writing = live !== null && !live.done;

  const ask = async (e: Event) => {
    e.preventDefault();
    if (pending || writing) return;
    const form = e.currentTarget as HTMLFormElement;
    const question = String(new FormData(form).get("question") ?? "");
    setPending(true);
    const res = await post("/assistant/ask", { question });
    setPending(false);
    if (typeof res === "string") return setError(res);
    setError(null);
    form.reset();
    begin(await res.json() as Started);
  };

  const stop = async () => {
    const live = current.current.live;
    if (!live) return;
    const res = await post("/assistant/stop", { answerId: live.answerId });
    setError(typeof res === "string" ? res : null);
  };

  const regenerate = async (answerId: string) => {
    setPending(true);
    const res = await post("/assistant/regenerate", { answerId });
    setPending(false);
    if (typeof res === "string") return setError(res);
    setError(null);
    begin(await res.json() as Started);
  };

  const last = answers[answers.length - 1];
  return (
    <div class="grid gap-4">
      <section aria-labelledby="assistant-answers-heading">
        <h2 id="assistant-answers-heading" class="sr-only">Answers</h2>
        {answers.length === 0 && !live && (
          <p class="text-sm text-slate-600">No answers yet: ask something.</p>
        )}
        <ol id="assistant-answers" class="grid gap-3">
          {answers.map((a) => (
            <li
              key={a.answerId}
              data-answer-id={a.answerId}
              data-attempt={a.attempt}
              class="rounded-md border border-slate-200 bg-white p-3"
            >
              <p class="font-medium">
                <span class="sr-only">You asked:</span> {a.question}
              </p>
              <p data-answer-text class="mt-1 whitespace-pre-wrap">
                {a.text}
              </p>
              {a.stopped && (
                <p class="mt-1 text-xs text-slate-600">Stopped early.</p>
              )}
            </li>
          ))}
        </ol>
        {live && (
          <div
            id="assistant-running"
            data-answer-id={live.answerId}
            data-tokens={live.tokens.length}
            class="mt-3 rounded-md border border-sky-200 bg-sky-50 p-3"
          >
            <p class="font-medium">
              <span class="sr-only">You asked:</span> {live.question}
            </p>
            <p
              id="assistant-live"
              aria-live="polite"
              aria-busy={writing}
              class="mt-1 whitespace-pre-wrap"
            >
              {live.tokens.join("")}
            </p>
            <p class="mt-1 text-xs text-slate-600">
              {writing
                ? "Writing…"
                : live.done?.stopped
                ? "Stopped early."
                : "Finished."}
            </p>
          </div>
        )}
      </section>
      <form
        method="post"
        action="/assistant/ask"
        onSubmit={ask}
        aria-busy={pending}
        class="flex flex-wrap items-end gap-2"
      >
        <Field
          id="assistant-question"
          label="Your question"
          class="min-w-0 flex-1"
        >
          <TextInput
            id="assistant-question"
            name="question"
            required
            maxLength={QUESTION_MAX}
            autoComplete="off"
            aria-invalid={error ? true : undefined}
            aria-describedby="assistant-error"
          />
        </Field>
        <Button type="submit" disabled={pending || writing}>Ask</Button>
        {writing && (
          <Button id="assistant-stop" variant="secondary" onClick={stop}>
            Stop answering
          </Button>
        )}
        {!writing && last && mounted && (
          <Button
            id="assistant-regenerate"
            variant="secondary"
            disabled={pending}
            onClick={() => regenerate(last.answerId)}
          >
            Regenerate answer
          </Button>
        )}
        <FieldError id="assistant-error" class="w-full">{error}</FieldError>
      </form>
    </div>
  );
}

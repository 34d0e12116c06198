/**
 * The assistant without a browser: the Markov source (deterministic, bounded,
 * words of the corpus), the service on a real broker and store (deltas in
 * order, stored as one message, one answer per session, stop here and from
 * another process, regenerate), and its routes (bad input, no session,
 * cross-site, API publishes and other sessions refused).
 *
 * @module
 */
import assert from "node:assert/strict";
import { MarkovSource } from "../../lib/app/assistant/markov.ts";
import { CORPUS_URL } from "../../lib/app/assistant/runtime.ts";
import { SteppedPace, timerPace } from "../../lib/app/assistant/pace.ts";
import {
  type AssistantOptions,
  AssistantService,
} from "../../lib/app/assistant/service.ts";
import {
  answerChannel,
  answersChannel,
  type Delta,
  QUESTION_MAX,
  type StoredAnswer,
  toStoredAnswer,
} from "../../lib/app/assistant/types.ts";
import { appPublishGuard } from "../../lib/app/channels/policy.ts";
import { MemoryBroker } from "../../lib/realtime/brokers/memory.ts";
import { MemoryStore } from "../../lib/app/store/memory.ts";
import type { Broker, HeraldEvent } from "../../lib/realtime/types.ts";
import { eventually, sessionCookie } from "../_support/app.ts";
import {
  RELAXED_ACCESS_ENV,
  serveApp,
  testServices,
} from "../_support/services.ts";

const corpus = await Deno.readTextFile(CORPUS_URL);
const markov = new MarkovSource(corpus);
const corpusWords = new Set(
  corpus.split(/\n\s*\n/).slice(1).join(" ").split(/\s+/),
);

/** The id in a `herald_session=v1.{base64url JSON}.{mac}` cookie. */
function sessionIdOf(cookie: string): string {
  const part = cookie.split("=")[1].split(".")[1];
  const json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
  return JSON.parse(json).i;
}

const OPTIONS: AssistantOptions = {
  paceMs: 1,
  step: true,
  maxTokens: 40,
  listLimit: 20,
  runningPerAddress: 3,
  runningMax: 100,
};

Deno.test("the Markov source is deterministic, bounded and speaks the corpus", async () => {
  const prompt = {
    question: "Where is the rabbit?",
    attempt: 0,
    maxTokens: 40,
  };
  const words = markov.words(prompt);
  assert.deepEqual(
    markov.words({ ...prompt }),
    words,
    "same prompt, same answer",
  );
  assert.ok(words.length >= 2 && words.length <= 40, `${words.length} words`);
  for (const w of words) {
    assert.ok(corpusWords.has(w), `"${w}" is not in the corpus`);
  }
  assert.notDeepEqual(
    markov.words({ ...prompt, attempt: 1 }),
    words,
    "a regenerate differs",
  );
  assert.notDeepEqual(
    markov.words({ ...prompt, question: "Who is Dinah?" }),
    words,
  );
  assert.equal(markov.words({ ...prompt, maxTokens: 5 }).length <= 5, true);
  for (let n = 0; n < 50; n++) {
    const len =
      markov.words({ question: `q${n}`, attempt: 0, maxTokens: 7 }).length;
    assert.ok(len >= 2 && len <= 7, `q${n}: ${len} words`);
  }

  const tokens: string[] = [];
  for await (const t of markov.generate(prompt, new AbortController().signal)) {
    tokens.push(t);
  }
  assert.equal(tokens.join(""), words.join(" "), "the tokens make the text");

  const stop = new AbortController();
  const some: string[] = [];
  for await (const t of markov.generate(prompt, stop.signal)) {
    some.push(t);
    if (some.length === 3) stop.abort();
  }
  assert.equal(some.length, 3, "an aborted source stops");
});

/** A service on a memory broker and store, manual pace; records each channel's events. */
function setup(shared?: { broker: Broker; store: MemoryStore }) {
  const broker = shared?.broker ?? new MemoryBroker();
  const store = shared?.store ?? new MemoryStore();
  const pace = new SteppedPace();
  const service = new AssistantService(
    { broker, store, source: markov, pace },
    OPTIONS,
  );
  return { broker, store, pace, service };
}

function record(broker: Broker, channel: string) {
  const events: HeraldEvent[] = [];
  broker.subscribe(channel, (e) => {
    events.push(e);
  });
  return events;
}

const asker = { sessionId: "anon-00000000000000000001", ip: "10.0.0.1" };
const deltas = (events: HeraldEvent[]) =>
  events.filter((e) => e.event === "delta").map((e) => e.data as Delta);
const storedAnswers = (events: HeraldEvent[]) =>
  events.filter((e) => e.event === "answer").map((e) =>
    toStoredAnswer(e.data)!
  );

Deno.test("an answer streams as ordered deltas, then is stored as one message", async () => {
  const { broker, pace, service } = setup();
  const list = record(broker, answersChannel(asker.sessionId));
  const question = "What is the use of a book?";
  const started = await service.ask(asker, question);
  const events = record(
    broker,
    answerChannel(asker.sessionId, started.answerId),
  );
  const expected = markov.words({ question, attempt: 0, maxTokens: 40 });

  pace.step(3);
  await eventually(() => deltas(events).length === 3, "three deltas");
  const state = await service.state(asker.sessionId);
  assert.equal(state.running?.answerId, started.answerId);
  assert.equal(state.running?.tokens.join(""), expected.slice(0, 3).join(" "));
  assert.deepEqual(state.answers, []);

  pace.step(1000);
  await eventually(() => events.some((e) => e.event === "done"), "done");
  assert.deepEqual(
    deltas(events).map((d) => d.i),
    expected.map((_, i) => i),
    "every index once, in order",
  );
  assert.equal(deltas(events).map((d) => d.t).join(""), expected.join(" "));
  assert.deepEqual(events.at(-1)!.data, {
    count: expected.length,
    stopped: false,
  });
  const [answer] = storedAnswers(list);
  assert.deepEqual(
    answer,
    {
      answerId: started.answerId,
      question,
      attempt: 0,
      text: expected.join(" "),
      tokens: expected.length,
      stopped: false,
    } satisfies StoredAnswer,
  );
  assert.equal(list[0].event, "started");
  const after = await service.state(asker.sessionId);
  assert.equal(after.running, null);
  assert.deepEqual(after.answers, [answer]);
  await service.close();
});

Deno.test("one answer at a time per session; stop stores what was written; regenerate answers again", async () => {
  const { broker, pace, service } = setup();
  const list = record(broker, answersChannel(asker.sessionId));
  const first = await service.ask(asker, "Do cats eat bats?");
  await assert.rejects(
    service.ask(asker, "another"),
    (err: { status: number; code: string }) =>
      err.status === 409 && err.code === "answer_running",
  );
  const events = record(broker, answerChannel(asker.sessionId, first.answerId));
  pace.step(4);
  await eventually(() => deltas(events).length === 4, "four deltas");
  assert.equal(await service.stop(asker.sessionId, first.answerId), true);
  await eventually(
    () => storedAnswers(list).length === 1,
    "the stopped answer stored",
  );
  const stopped = storedAnswers(list)[0];
  assert.equal(stopped.stopped, true);
  assert.equal(stopped.tokens, 4);
  assert.equal(stopped.text, deltas(events).map((d) => d.t).join(""));
  await eventually(() => events.at(-1)?.event === "done", "done");
  assert.deepEqual(events.at(-1)!.data, { count: 4, stopped: true });
  assert.equal(
    await service.stop(asker.sessionId, first.answerId),
    false,
    "nothing left to stop",
  );

  const again = await service.regenerate(asker, first.answerId);
  assert.equal(again.question, "Do cats eat bats?");
  assert.equal(again.attempt, 1);
  assert.notEqual(again.answerId, first.answerId);
  pace.step(1000);
  await eventually(
    () => storedAnswers(list).length === 2,
    "the regenerated answer stored",
  );
  const second = storedAnswers(list)[1];
  assert.notEqual(second.text, stopped.text);
  assert.equal(
    second.text,
    markov.words({ question: "Do cats eat bats?", attempt: 1, maxTokens: 40 })
      .join(" "),
  );
  await assert.rejects(
    service.regenerate(asker, "0".repeat(32)),
    (err: { status: number }) => err.status === 404,
  );
  await service.close();
});

Deno.test("a stop that reaches another process stops the writer at its next token", async () => {
  const writer = setup();
  const other = setup({ broker: writer.broker, store: writer.store });
  const list = record(writer.broker, answersChannel(asker.sessionId));
  const started = await writer.service.ask(asker, "How deep is the well?");
  const events = record(
    writer.broker,
    answerChannel(asker.sessionId, started.answerId),
  );
  writer.pace.step(2);
  await eventually(
    async () =>
      (await writer.service.state(asker.sessionId)).running?.tokens.length ===
        2,
    "two tokens",
  );
  assert.equal(
    await other.service.stop(asker.sessionId, started.answerId),
    true,
  );
  writer.pace.step(1000);
  await eventually(() => storedAnswers(list).length === 1, "the answer stored");
  assert.equal(storedAnswers(list)[0].stopped, true);
  assert.equal(storedAnswers(list)[0].tokens, 2);
  assert.equal(deltas(events).length, 2, "no token after the stop");
  await writer.service.close();
});

Deno.test("closing stores the answers being written as stopped", async () => {
  const { broker, pace, service } = setup();
  const list = record(broker, answersChannel(asker.sessionId));
  await service.ask(asker, "What is the time?");
  pace.step(1);
  await eventually(
    async () =>
      (await service.state(asker.sessionId)).running?.tokens.length === 1,
    "one token",
  );
  await service.close();
  assert.equal(storedAnswers(list)[0]?.stopped, true);
  await assert.rejects(
    service.ask(asker, "later"),
    (err: { status: number }) => err.status === 503,
  );
});

Deno.test("the assistant's routes: bad input, no session, cross-site, other sessions and the API refused", async () => {
  await using app = await testServices({
    env: {
      ...RELAXED_ACCESS_ENV,
      HERALD_ASSISTANT_STEP: "on",
      HERALD_ASSISTANT_MAX_TOKENS: "30",
    },
  });
  await using server = await serveApp(app);
  const url = server.url;
  const page = await fetch(`${url}/assistant`);
  await page.body?.cancel();
  assert.equal(page.status, 200);
  const mine = await sessionCookie(url);
  const theirs = await sessionCookie(url);
  const post = async (
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => null) };
  };

  const tooLong = await post("/assistant/ask", {
    question: "x".repeat(QUESTION_MAX + 1),
  }, { cookie: mine });
  assert.equal(tooLong.status, 400);
  assert.equal(tooLong.body.error.code, "invalid_question");
  assert.match(tooLong.body.error.message, /1-500 characters/);
  assert.equal(
    (await post("/assistant/ask", { question: "   " }, { cookie: mine }))
      .status,
    400,
  );
  assert.equal(
    (await post("/assistant/ask", "{not json", { cookie: mine })).body.error
      .code,
    "invalid_json",
  );
  const noSession = await post("/assistant/ask", { question: "hi" });
  assert.equal(noSession.status, 401);
  assert.equal(noSession.body.error.code, "no_session");
  const crossSite = await post("/assistant/ask", { question: "hi" }, {
    cookie: mine,
    "sec-fetch-site": "cross-site",
  });
  assert.equal(crossSite.status, 403);
  assert.equal(
    (await post("/assistant/stop", { answerId: "../x" }, { cookie: mine })).body
      .error.code,
    "invalid_answer_id",
  );
  assert.equal((await post("/assistant/step", { tokens: 0 })).status, 400);

  const asked = await post("/assistant/ask", {
    question: "Who is the White Rabbit?",
  }, { cookie: mine });
  assert.equal(asked.status, 201);
  const { answerId } = asked.body;
  const busy = await post("/assistant/ask", { question: "again" }, {
    cookie: mine,
  });
  assert.equal(busy.status, 409);
  assert.equal((await post("/assistant/step", { tokens: 2 })).body.running, 1);
  const channel = answerChannel(sessionIdOf(mine), answerId);
  const history = (cookie?: string) =>
    fetch(`${url}/api/channels/${channel}/messages?limit=10`, {
      headers: cookie ? { cookie } : {},
    });
  await eventually(async () => {
    const res = await history(mine);
    const body = await res.json();
    return res.status === 200 && body.events?.length === 2;
  }, "the owner reads the answer's deltas");
  for (const cookie of [theirs, undefined]) {
    const res = await history(cookie);
    await res.body?.cancel();
    assert.ok(
      res.status === 401 || res.status === 403,
      `another reader: ${res.status}`,
    );
  }
  const forged = await post(`/api/channels/${channel}/messages`, {
    event: "delta",
    data: { i: 2, t: " forged" },
  }, { cookie: mine });
  assert.equal(forged.status, 403);
  // A token with a `private:` pattern gets past the policy; the app's guard still refuses.
  assert.throws(
    () =>
      appPublishGuard(
        channel,
        { data: {} },
        { via: "token", sub: "backend" } as never,
      ),
    (err: { status: number; code: string }) =>
      err.status === 403 && err.code === "app_owned_channel",
  );

  const stopped = await post("/assistant/stop", { answerId }, {
    cookie: theirs,
  });
  assert.deepEqual(
    stopped.body,
    { stopped: false },
    "another session cannot stop it",
  );
  assert.deepEqual(
    (await post("/assistant/stop", { answerId }, { cookie: mine })).body,
    { stopped: true },
  );
  await eventually(async () => {
    const res = await fetch(`${url}/assistant/state`, {
      headers: { cookie: mine },
    });
    const state = await res.json();
    return state.running === null && state.answers.length === 1 &&
      state.answers[0].stopped;
  }, "the stopped answer listed");
  const res = await fetch(`${url}/assistant/state`);
  assert.equal(res.status, 401);
  await res.body?.cancel();
});

Deno.test("with the timer pace an answer finishes by itself", async () => {
  const broker = new MemoryBroker();
  const service = new AssistantService(
    { broker, store: new MemoryStore(), source: markov, pace: timerPace(1) },
    { ...OPTIONS, step: false },
  );
  const list = record(broker, answersChannel(asker.sessionId));
  await service.ask(asker, "How late is it getting?");
  await eventually(() => storedAnswers(list).length === 1, "the answer stored");
  assert.equal(
    storedAnswers(list)[0].text,
    markov.words({
      question: "How late is it getting?",
      attempt: 0,
      maxTokens: OPTIONS.maxTokens,
    }).join(" "),
  );
  await service.close();
});

Deno.test("answers running at once are capped per address and per process", async () => {
  const broker = new MemoryBroker();
  const service = new AssistantService(
    {
      broker,
      store: new MemoryStore(),
      source: markov,
      pace: new SteppedPace(),
    },
    { ...OPTIONS, runningPerAddress: 2, runningMax: 3 },
  );
  const session = (n: number) => `anon-${String(n).padStart(20, "0")}`;
  await service.ask({ sessionId: session(1), ip: "10.0.0.1" }, "one");
  await service.ask({ sessionId: session(2), ip: "10.0.0.1" }, "two");
  await assert.rejects(
    service.ask({ sessionId: session(3), ip: "10.0.0.1" }, "three"),
    (err: { status: number; code: string }) =>
      err.status === 429 && err.code === "too_many_answers",
  );
  await service.ask({ sessionId: session(4), ip: "10.0.0.2" }, "four");
  await assert.rejects(
    service.ask({ sessionId: session(5), ip: "10.0.0.3" }, "five"),
    (err: { status: number; code: string }) =>
      err.status === 503 && err.code === "assistant_busy",
  );
  assert.equal(await service.stop(session(1), "0".repeat(32)), false);

  const racing = new AssistantService(
    {
      broker,
      store: new MemoryStore(),
      source: markov,
      pace: new SteppedPace(),
    },
    { ...OPTIONS, runningPerAddress: 2 },
  );
  const results = await Promise.allSettled(
    Array.from(
      { length: 10 },
      (_, n) => racing.ask({ sessionId: session(10 + n), ip: "10.0.0.9" }, "q"),
    ),
  );
  assert.equal(
    results.filter((r) => r.status === "fulfilled").length,
    2,
    "ten asks at once from one address: two start",
  );
  await racing.close();
  await service.close();
  const [first] = (await service.state(session(1))).answers;
  assert.equal(first.stopped, true, "closing stored them");
});

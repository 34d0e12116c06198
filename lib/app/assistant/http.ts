/**
 * The assistant's HTTP answers for the thin route files under routes/assistant/:
 * JSON for the island, a 303 back to the page for a plain form.
 *
 * @module
 */
import type { FreshContext } from "$fresh/server.ts";
import type { Access } from "../../access/access.ts";
import { errorResponse, HttpError } from "../../http/error.ts";
import { readFields, wantsJson } from "../../http/fields.ts";
import { admitSession } from "../admit.ts";
import type { Assistant } from "./runtime.ts";
import { type Asker, validQuestion } from "./service.ts";
import { ANSWER_ID } from "./types.ts";

type AssistantContext = FreshContext<
  { access: Access; assistant: Assistant }
>;

const noStore = { "cache-control": "no-store" };

function validAnswerId(value: unknown): string {
  if (typeof value !== "string" || !ANSWER_ID.test(value)) {
    throw new HttpError(
      400,
      "invalid_answer_id",
      "answerId must be the 32 hex digits of an answer.",
    );
  }
  return value;
}

/** The body as `{status, json}` for the island, or a 303 to /assistant for a form. */
function reply(req: Request, status: number, json: unknown): Response {
  if (!wantsJson(req)) {
    return new Response(null, {
      status: 303,
      headers: { location: "/assistant" },
    });
  }
  return Response.json(json, { status, headers: noStore });
}

/** Runs a write of the session: admitted, its fields read, errors as JSON. */
function sessionWrite(
  charge: "publish" | "none",
  run: (
    assistant: Assistant,
    asker: Asker,
    fields: Record<string, unknown>,
    req: Request,
  ) => Promise<Response>,
): (req: Request, ctx: AssistantContext) => Promise<Response> {
  return async (req, ctx) => {
    try {
      const who = await admitSession(req, ctx, charge);
      const fields = await readFields(req);
      const asker = { sessionId: who.session.id, ip: who.ip };
      return await run(ctx.state.assistant, asker, fields, req);
    } catch (err) {
      await req.body?.cancel().catch(() => {});
      if (!(err instanceof HttpError)) console.error("assistant:", err);
      return errorResponse(err);
    }
  };
}

/** `POST /assistant/ask` `{question}`: 201 the started answer. */
export const askQuestion = sessionWrite(
  "publish",
  async ({ service }, asker, fields, req) =>
    reply(req, 201, await service.ask(asker, validQuestion(fields.question))),
);

/** `POST /assistant/regenerate` `{answerId}`: 201 a new answer to that answer's question. */
export const regenerateAnswer = sessionWrite(
  "publish",
  async ({ service }, asker, fields, req) =>
    reply(
      req,
      201,
      await service.regenerate(asker, validAnswerId(fields.answerId)),
    ),
);

/** `POST /assistant/stop` `{answerId}`: 200 `{stopped}` (false when it had ended). */
export const stopAnswer = sessionWrite(
  "none",
  async ({ service }, asker, fields, req) =>
    reply(req, 200, {
      stopped: await service.stop(
        asker.sessionId,
        validAnswerId(fields.answerId),
      ),
    }),
);

/** `GET /assistant/state`: the session's answers and the one being written. */
export async function assistantState(
  req: Request,
  ctx: AssistantContext,
): Promise<Response> {
  try {
    const who = await admitSession(req, ctx, "none");
    const state = await ctx.state.assistant.service.state(who.session.id);
    return Response.json(state, { headers: noStore });
  } catch (err) {
    if (!(err instanceof HttpError)) console.error("assistant:", err);
    return errorResponse(err);
  }
}

/**
 * `POST /assistant/step` `{tokens?}` (tests, demos; `HERALD_ASSISTANT_STEP=on`):
 * the answers running in this process may write that many more tokens (default 1).
 */
export async function stepAnswers(
  req: Request,
  ctx: AssistantContext,
): Promise<Response> {
  try {
    const { stepper } = ctx.state.assistant;
    if (!stepper) {
      throw new HttpError(
        404,
        "not_found",
        "Manual steps are off (set HERALD_ASSISTANT_STEP=on).",
      );
    }
    const fields = await readFields(req);
    const tokens = fields.tokens ?? 1;
    if (
      typeof tokens !== "number" || !Number.isInteger(tokens) || tokens < 1 ||
      tokens > 1000
    ) {
      throw new HttpError(
        400,
        "invalid_tokens",
        "tokens must be a whole number from 1 to 1000.",
      );
    }
    return Response.json({ running: stepper.step(tokens) }, {
      headers: noStore,
    });
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    return errorResponse(err);
  }
}

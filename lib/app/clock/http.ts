/**
 * The clock's run routes for the thin files under routes/clock/: admitted as readers
 * of the `clock` channel, a start charged one publish, the run owned by the caller's
 * user or session.
 *
 * @module
 */
import type { Access, RequestInfo } from "../../access/access.ts";
import { errorResponse } from "../../http/error.ts";
import { readFields } from "../../http/fields.ts";
import type { ClockRuns, RunCaller } from "./runs.ts";
import { CLOCK_CHANNEL } from "./types.ts";

export interface ClockRouteContext {
  state: { access: Access; clockRuns: ClockRuns };
  remoteAddr?: RequestInfo["remoteAddr"];
}

async function caller(
  req: Request,
  ctx: ClockRouteContext,
  charge: boolean,
): Promise<RunCaller> {
  const { access } = ctx.state;
  const who = await access.authorize(req, "subscribe", [CLOCK_CHANNEL], {
    remoteAddr: ctx.remoteAddr,
  });
  // A run costs publishes (its ticks and end): starting one spends the publish rate.
  if (charge) await access.checkPublishRate(who);
  return { owner: who.sub ?? `ip:${who.ip}`, address: who.ip };
}

/** `POST /clock/runs` `{duration?}` → 201 the run; 400 `invalid_duration`; 429 `too_many_clocks`. */
export async function startRun(
  req: Request,
  ctx: ClockRouteContext,
): Promise<Response> {
  try {
    const who = await caller(req, ctx, true);
    const { duration } = await readFields(req);
    const run = await ctx.state.clockRuns.start(
      who,
      duration === undefined || duration === null ? null : String(duration),
    );
    return Response.json(run, { status: 201 });
  } catch (err) {
    await req.body?.cancel().catch(() => {});
    return errorResponse(err);
  }
}

/** `POST /clock/runs/{run}` → 200 the run (`ended` when over); 404 `unknown_run`. */
export async function resumeRun(
  req: Request,
  ctx: ClockRouteContext,
  run: string,
): Promise<Response> {
  await req.body?.cancel().catch(() => {});
  try {
    const who = await caller(req, ctx, false);
    return Response.json(await ctx.state.clockRuns.resume(who, run));
  } catch (err) {
    return errorResponse(err);
  }
}

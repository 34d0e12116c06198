/** `POST /api/messages`: batch publish (lib/realtime/http/batch.ts), under the app's channel rules. @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../lib/realtime/http/context.ts";
import { publishBatch } from "../../lib/realtime/http/batch.ts";
import { appPublishGuard } from "../../lib/app/channels/policy.ts";

export const handler: Handlers<unknown, ApiState> = {
  POST: (req, ctx) => publishBatch(req, ctx, appPublishGuard),
};

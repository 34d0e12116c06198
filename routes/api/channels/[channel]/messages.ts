/** `GET|POST /api/channels/{channel}/messages`: history (lib/realtime/http/history.ts) and publish (publish.ts), under the app's channel rules. @module */
import type { Handlers } from "$fresh/server.ts";
import type { ApiState } from "../../../../lib/realtime/http/context.ts";
import { readHistory } from "../../../../lib/realtime/http/history.ts";
import { publishMessage } from "../../../../lib/realtime/http/publish.ts";
import { appPublishGuard } from "../../../../lib/app/channels/policy.ts";

export const handler: Handlers<unknown, ApiState> = {
  GET: readHistory,
  POST: (req, ctx) => publishMessage(req, ctx, appPublishGuard),
};

/** `GET|POST /api/channels/{channel}/messages`: history and publish (lib/realtime/http/messages.ts), under the app's channel rules. @module */
import { heraldRoute } from "../../../../lib/realtime/http/route.ts";
import { messagesEndpoint } from "../../../../lib/realtime/http/messages.ts";
import { appPublishGuard } from "../../../../lib/app/channels/policy.ts";

export const handler = heraldRoute(messagesEndpoint, {
  publishGuard: appPublishGuard,
});

/** `GET|POST /api/channels/{channel}/messages`: history and publish (lib/realtime/http/messages.ts). @module */
import { heraldRoute } from "../../../../lib/realtime/http/route.ts";
import { messagesEndpoint } from "../../../../lib/realtime/http/messages.ts";

export const handler = heraldRoute(messagesEndpoint);

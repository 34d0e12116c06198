/**
 * `/api/channels/{channel}/messages`: `GET` reads history, `POST` publishes.
 *
 * @module
 */
import { readHistory } from "./history.ts";
import { byMethod } from "./methods.ts";
import { publishMessage } from "./publish.ts";

export const messagesEndpoint = byMethod({
  GET: readHistory,
  POST: publishMessage,
});

/** `/.well-known/mercure/…`: the subscription API is not supported; a JSON 404 says so. @module */
import type { Handlers } from "$fresh/server.ts";
import { HttpError } from "../../../lib/http/error.ts";

const notSupported = (): never => {
  throw new HttpError(
    404,
    "not_found",
    "this hub has no subscription API (/.well-known/mercure/subscriptions)",
  );
};

export const handler: Handlers = { GET: notSupported, POST: notSupported };

/** Any other `/api/…` path: a JSON 404 (never the HTML page), whatever the method. @module */
import type { Handler } from "$fresh/server.ts";
import { HttpError } from "../../lib/http/error.ts";

export const handler: Handler = () => {
  throw new HttpError(
    404,
    "not_found",
    "no such API endpoint (see the README's HTTP API)",
  );
};

/** `POST /assistant/ask`; see lib/app/assistant/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { askQuestion } from "../../lib/app/assistant/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: askQuestion,
};

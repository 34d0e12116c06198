/** `POST /assistant/stop`; see lib/app/assistant/http.ts. @module */
import type { Handlers } from "$fresh/server.ts";
import type { AppState } from "../../lib/app/services.ts";
import { stopAnswer } from "../../lib/app/assistant/http.ts";

export const handler: Handlers<unknown, AppState> = {
  POST: stopAnswer,
};

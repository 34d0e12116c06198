/**
 * This process's chat service: the app store and the Herald broker, both
 * from the environment (see lib/app/store/create.ts and
 * `chatOptionsFromEnv` for `HERALD_CHAT_MEMBER_TTL_MS`, `HERALD_CHAT_HISTORY`).
 *
 * @module
 */
import { getHerald } from "../../realtime/herald.ts";
import { getAppStore } from "../store/mod.ts";
import { chatOptionsFromEnv, ChatService } from "./service.ts";

let instance: Promise<ChatService> | null = null;

export function getChat(): Promise<ChatService> {
  instance ??= (async () => {
    const [{ broker }, store] = await Promise.all([getHerald(), getAppStore()]);
    return new ChatService(store, broker, chatOptionsFromEnv());
  })();
  instance.catch(() => (instance = null));
  return instance;
}

/**
 * Keeps the rooms someone has open alive: every quarter of the room TTL, each room
 * this process has a present user on is renewed (ARCHITECTURE.md, Chat).
 *
 * @module
 */
import type { Presence } from "../../realtime/presence/presence.ts";
import type { HeraldLog } from "../../realtime/observe.ts";
import type { ChatService } from "./service.ts";
import { roomChannel } from "./types.ts";

/** Starts renewing; returns the call that stops it. */
export function keepOpenRoomsAlive(
  chat: ChatService,
  presence: Pick<Presence, "localChannels">,
  log: HeraldLog,
): () => void {
  const prefix = roomChannel("");
  const timer = setInterval(async () => {
    const rooms = presence.localChannels().filter((c) => c.startsWith(prefix))
      .map((c) => c.slice(prefix.length));
    for (const room of rooms) {
      await chat.keepAlive(room).catch((err) =>
        log.log("warn", "chat room not renewed", { room, error: String(err) })
      );
    }
  }, Math.max(25, Math.floor(chat.roomTtlMs / 4)));
  Deno.unrefTimer(timer);
  return () => clearInterval(timer);
}

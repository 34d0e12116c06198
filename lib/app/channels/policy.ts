/**
 * Which channels the app owns, and the one {@link PublishGuard} the publish API
 * consults for them (ARCHITECTURE.md, Access, limits and the app).
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import type { PublishGuard } from "../../realtime/http/context.ts";
import { ROOMS_CHANNEL } from "../chat/types.ts";
import { FLIGHTS_CHANNEL } from "../flights/types.ts";
import { PRIVATE_CHANNEL, PUBLIC_CHANNEL } from "../../mercure/update.ts";
import { DETAIL_LOG_CHANNEL, LOG_CHANNEL } from "../logs/entry.ts";
import { STATS_CHANNEL } from "../admin/stats.ts";
import { CLOCK_CHANNEL } from "../clock/types.ts";
import { SESSION_CHANNELS } from "../../access/policy.ts";
import { PRESENCE_PREFIX } from "../../realtime/presence/presence.ts";
import {
  notificationFromApi,
  NOTIFICATIONS_CHANNEL,
} from "../notifications/notification.ts";

/** A channel (or channel prefix, ending in `:` or `.`) only the app writes, and who writes it. */
interface OwnedChannel {
  name: string;
  writtenBy: string;
}

/** The app-owned channels (documented in the README's Security section). */
export const APP_OWNED_CHANNELS: readonly OwnedChannel[] = [
  {
    name: "chat:",
    writtenBy:
      "the chat routes (POST /chat/{room}/join, /leave, /messages) for members of the room",
  },
  { name: ROOMS_CHANNEL, writtenBy: "POST /chat" },
  {
    name: FLIGHTS_CHANNEL,
    writtenBy: "the flight simulator and POST /flights/pause",
  },
  { name: LOG_CHANNEL, writtenBy: "Herald's own log relay" },
  { name: DETAIL_LOG_CHANNEL, writtenBy: "Herald's own log relay" },
  { name: PUBLIC_CHANNEL, writtenBy: "POST /.well-known/mercure" },
  { name: PRIVATE_CHANNEL, writtenBy: "POST /.well-known/mercure" },
  {
    name: PRESENCE_PREFIX,
    writtenBy: "Herald's presence tracker (streams opening and closing)",
  },
  { name: STATS_CHANNEL, writtenBy: "each process's admin stats reporter" },
  { name: CLOCK_CHANNEL, writtenBy: "the clock runs of /clock" },
  {
    name: SESSION_CHANNELS,
    writtenBy: "the app for one session (the assistant's answers)",
  },
];

function ownerOf(channel: string): OwnedChannel | undefined {
  return APP_OWNED_CHANNELS.find((c) =>
    c.name.endsWith(":") || c.name.endsWith(".")
      ? channel.startsWith(c.name)
      : channel === c.name
  );
}

/** The app's {@link PublishGuard} (ARCHITECTURE.md, Access, limits and the app). */
export const appPublishGuard: PublishGuard = (channel, message, caller) => {
  const owned = ownerOf(channel);
  if (owned) {
    throw new HttpError(
      403,
      "app_owned_channel",
      `${channel} is an app channel: only ${owned.writtenBy} publish to it, not the API`,
    );
  }
  if (channel !== NOTIFICATIONS_CHANNEL) return message;
  if (message.event !== undefined && message.event !== "message") {
    throw new HttpError(
      400,
      "invalid_notification",
      `notifications have no event name (or "message"), not ${
        JSON.stringify(message.event)
      }`,
    );
  }
  const sender = caller.session?.name ??
    (caller.via === "token" ? caller.sub : null);
  return { data: notificationFromApi(message.data, sender) };
};

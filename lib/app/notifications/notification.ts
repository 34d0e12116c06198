/**
 * What a notification is: validates what a publisher sends, and reads any published
 * event back as a notification.
 *
 * @module
 */
import { HttpError } from "../../http/error.ts";
import type { HeraldEvent } from "../../realtime/types.ts";
import { boundedJson, clip, validTime } from "../render/safe.ts";

export const NOTIFICATIONS_CHANNEL = "notifications";
export const KINDS = ["info", "success", "warning", "error"] as const;
export type NotificationKind = typeof KINDS[number];
export const MAX_MESSAGE_LENGTH = 500;

/** Where a notification goes: everyone, or only the sender's own `user:` channel. */
export type Audience = "everyone" | "me";

/** The published payload (`data` of the event). */
export interface NotificationData {
  message: string;
  kind: NotificationKind;
  sender: string | null;
  country: string | null;
}

/** One notification as the feed shows it. */
export interface Notification extends NotificationData {
  id: string;
  channel: string;
  time: number;
}

export interface NotificationInput {
  message: string;
  kind: NotificationKind;
  to: Audience;
}

/** The user's private channel. */
export function userChannel(userId: string): string {
  return `user:${userId}`;
}

function isKind(value: unknown): value is NotificationKind {
  return (KINDS as readonly unknown[]).includes(value);
}

/** Checks a publisher's fields; throws HttpError 400 with a code the form can show. */
/** What a no-JS post had typed, carried back with its error so nothing is lost. */
export interface NotificationDraft {
  message: string;
  kind: NotificationKind;
  to: Audience;
}

/** The draft in posted fields (or a page's query), cleaned; null when there is no message. */
export function draftOf(
  raw: Record<string, unknown> | URLSearchParams | null,
): NotificationDraft | null {
  const get = (name: string) => {
    const value = raw instanceof URLSearchParams ? raw.get(name) : raw?.[name];
    return typeof value === "string" ? value : "";
  };
  const message = get("message").slice(0, MAX_MESSAGE_LENGTH);
  if (!message.trim()) return null;
  const kind = get("kind");
  return {
    message,
    kind: (KINDS as readonly string[]).includes(kind)
      ? kind as NotificationKind
      : "info",
    to: get("to") === "me" ? "me" : "everyone",
  };
}

export function parseNotificationInput(
  raw: Record<string, unknown>,
): NotificationInput {
  const message = typeof raw.message === "string" ? raw.message.trim() : "";
  if (!message) {
    throw new HttpError(400, "message_required", "Write a message first.");
  }
  if (message.length > MAX_MESSAGE_LENGTH) {
    throw new HttpError(
      400,
      "message_too_long",
      `A message has at most ${MAX_MESSAGE_LENGTH} characters.`,
    );
  }
  const kind = raw.kind ?? "info";
  if (!isKind(kind)) {
    throw new HttpError(
      400,
      "invalid_kind",
      `Kind must be one of ${KINDS.join(", ")}.`,
    );
  }
  const to = raw.to ?? "everyone";
  if (to !== "everyone" && to !== "me") {
    throw new HttpError(400, "invalid_audience", "Send to everyone or to me.");
  }
  return { message, kind, to };
}

const API_FIELDS = new Set(["message", "kind"]);

function invalidNotification(message: string): HttpError {
  return new HttpError(400, "invalid_notification", message);
}

/**
 * The data of a notification published through the API: a string (the
 * message) or `{message, kind?}` with the form's rules; the sender is the
 * caller's, never the body's.
 */
export function notificationFromApi(
  data: unknown,
  sender: string | null,
): NotificationData {
  const fields: Record<string, unknown> = typeof data === "string"
    ? { message: data }
    : data && typeof data === "object" && !Array.isArray(data)
    ? data as Record<string, unknown>
    : {};
  const unknown = Object.keys(fields).filter((k) => !API_FIELDS.has(k));
  if (unknown.length) {
    throw invalidNotification(
      `a notification is {message, kind?}; ${
        unknown.join(", ")
      } cannot be set (sender and country come from Herald, not the publisher)`,
    );
  }
  const message = typeof fields.message === "string"
    ? fields.message.trim()
    : "";
  if (!message || message.length > MAX_MESSAGE_LENGTH) {
    throw invalidNotification(
      `a notification's message is a string of 1 to ${MAX_MESSAGE_LENGTH} characters`,
    );
  }
  const kind = fields.kind ?? "info";
  if (!isKind(kind)) {
    throw invalidNotification(`kind must be one of ${KINDS.join(", ")}`);
  }
  return { message, kind, sender, country: null };
}

/** Any event of a notification channel, as a notification (a bare string is the message). */
export function toNotification(e: HeraldEvent): Notification {
  const d = e.data;
  const o = d && typeof d === "object" ? d as Record<string, unknown> : {};
  // Old or foreign events may hold anything: every field is bounded here,
  // so a page of them stays small and renders.
  const text = typeof d === "string"
    ? d
    : typeof o.message === "string"
    ? o.message
    : typeof o.text === "string"
    ? o.text
    : boundedJson(d, MAX_MESSAGE_LENGTH);
  return {
    id: e.id,
    channel: e.channel,
    time: validTime(e.time) ? e.time : 0,
    message: clip(text, MAX_MESSAGE_LENGTH),
    kind: isKind(o.kind) ? o.kind : "info",
    sender: typeof o.sender === "string" ? clip(o.sender, 64) : null,
    country: typeof o.country === "string" && /^[A-Z]{2}$/.test(o.country)
      ? o.country
      : null,
  };
}

/** What the page says for an error code of a no-JavaScript post (`/?error=code`). */
export function errorText(code: string): string {
  switch (code) {
    case "message_required":
      return "Write a message first.";
    case "message_too_long":
      return `A message has at most ${MAX_MESSAGE_LENGTH} characters.`;
    case "invalid_kind":
      return "Choose a kind: info, success, warning or error.";
    case "payload_too_large":
      return "The message is too large.";
    case "rate_limited":
    case "too_many_requests":
      return "You are publishing too fast; wait a moment.";
    case "unauthorized":
    case "forbidden":
      return "You may not publish there.";
    case "no_session":
      return "Your browser has no session yet; reload the page and try again.";
    default:
      return "The message could not be published. Please try again.";
  }
}

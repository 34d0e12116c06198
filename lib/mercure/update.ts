/**
 * A Mercure update as one Herald event on `mercure` or `private:mercure`, and its
 * update id (ARCHITECTURE.md, Mercure).
 *
 * @module
 */
import { encodeEvent } from "../realtime/sse/encode.ts";
import type { CustomWireForm } from "../realtime/hub/wire.ts";
import type { HeraldEvent, PublishMessage } from "../realtime/types.ts";

export const PUBLIC_CHANNEL = "mercure";
export const PRIVATE_CHANNEL = "private:mercure";
/** The Herald event name of every Mercure update. */
export const UPDATE_EVENT = "mercure.update";

/** What a publisher sent (see publish_form.ts). */
export interface Update {
  /** The topic first, then any alternate topics (older publishers send several). */
  topics: string[];
  data: string;
  private: boolean;
  /** The publisher's id, when it chose one. */
  id?: string;
  type?: string;
  retry?: number;
}

/** The stored form (without `private`: the channel says it). */
interface StoredUpdate {
  topics: string[];
  data: string;
  id?: string;
  type?: string;
  retry?: number;
}

export function channelOf(update: Update): string {
  return update.private ? PRIVATE_CHANNEL : PUBLIC_CHANNEL;
}

export function toMessage(update: Update): PublishMessage {
  const stored: StoredUpdate = { topics: update.topics, data: update.data };
  if (update.id !== undefined) stored.id = update.id;
  if (update.type !== undefined) stored.type = update.type;
  if (update.retry !== undefined) stored.retry = update.retry;
  return { event: UPDATE_EVENT, data: stored };
}

/** The stored update of a Herald event, or null for anything else on the channel. */
export function storedUpdate(event: HeraldEvent): StoredUpdate | null {
  const data = event.data as Partial<StoredUpdate> | null;
  if (
    event.event !== UPDATE_EVENT || typeof data !== "object" || data === null ||
    !Array.isArray(data.topics) || typeof data.data !== "string"
  ) {
    return null;
  }
  return data as StoredUpdate;
}

/** The id a hub-generated update gets: a fragment over Herald's id. */
export function heraldUpdateId(heraldId: string): string {
  return `#${heraldId}`;
}

/** The update id of a stored event (the SSE `id:` and the publish answer). */
export function updateId(event: HeraldEvent): string {
  return storedUpdate(event)?.id ?? heraldUpdateId(event.id);
}

/** The SSE form of updates: `id:` the update id, `event:` its type, `retry:`, `data:` as published. */
export const MERCURE_FORM: CustomWireForm = {
  name: "mercure",
  encode(event) {
    const update = storedUpdate(event);
    return encodeEvent({
      id: update?.id ?? heraldUpdateId(event.id),
      event: update?.type,
      retry: update?.retry,
      data: update?.data ?? "",
    });
  },
};

/**
 * A channel's kind: what metrics labels and trace attributes may say about a channel
 * instead of its name.
 *
 * @example
 * ```ts
 * channelKind("user:alice"); // "user"
 * ```
 *
 * @module
 */

export type ChannelKind = "public" | "user" | "private" | "system";

/** `user:…`, `private:…`, Herald's own `herald.…`, else public. */
export function channelKind(channel: string): ChannelKind {
  if (channel.startsWith("user:")) return "user";
  if (channel.startsWith("private:")) return "private";
  if (channel.startsWith("herald.")) return "system";
  return "public";
}

/** The name when anyone may see it (public and system channels), else null. */
export function channelAttribute(channel: string): string | null {
  const kind = channelKind(channel);
  return kind === "public" || kind === "system" ? channel : null;
}

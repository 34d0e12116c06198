/** The name of a channel's presence companion, shared by the tracker and the pages that follow it. */

/** The companion channel of `channel`'s join/leave events is this prefix + `channel`. */
export const PRESENCE_PREFIX = "presence:";

/** Where `channel`'s `presence` join/leave events are published. */
export function presenceChannel(channel: string): string {
  return PRESENCE_PREFIX + channel;
}

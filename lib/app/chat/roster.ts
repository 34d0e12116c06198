/** A room's member list, keyed by member identity, in one order; used by the server and the page alike. */
import { usernameKey } from "./name_key.ts";
import type { ChatMember } from "./types.ts";

/** The list with `member` in it: an older entry of the same member, or of a look-alike name, replaced. */
export function withMember(
  members: ChatMember[],
  member: ChatMember,
): ChatMember[] {
  const key = usernameKey(member.name);
  return sortMembers([
    ...members.filter((m) =>
      m.user !== member.user && usernameKey(m.name) !== key
    ),
    member,
  ]);
}

/** The list without the member `user`. */
export function withoutMember(
  members: ChatMember[],
  user: string,
): ChatMember[] {
  return members.some((m) => m.user === user)
    ? members.filter((m) => m.user !== user)
    : members;
}

/** Members in the list's order (see {@link byName}). */
export function sortMembers(members: ChatMember[]): ChatMember[] {
  return members.sort((a, b) => byName(a.name, b.name));
}

/** The member list's order: alphabetical whatever the case, then by code unit. */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" }) || (a < b ? -1 : 1);
}

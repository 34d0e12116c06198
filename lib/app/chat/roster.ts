/** A room's member list, keyed by member identity, in one order; used by the server and the page alike. */
import { usernameKey } from "./name_key.ts";
import type { ChatLine, ChatMember } from "./types.ts";

/**
 * What a page knows of a room's members: who is listed, and the name each
 * member holds, also while away (a restart, a lost connection), so their
 * presence coming back lists them again.
 */
export interface MemberBook {
  members: ChatMember[];
  names: ReadonlyMap<string, string>;
}

/** The book of a member list as the server gave it. */
export function memberBook(members: ChatMember[]): MemberBook {
  return { members, names: new Map(members.map((m) => [m.user, m.name])) };
}

/** After a presence event: a member away is unlisted, one back is listed under the name they hold. */
export function followPresence(
  book: MemberBook,
  { user, action }: { user: string; action: "join" | "leave" },
): MemberBook {
  if (action === "leave") {
    return { ...book, members: withoutMember(book.members, user) };
  }
  const name = book.names.get(user);
  return name === undefined
    ? book
    : { ...book, members: withMember(book.members, { name, user }) };
}

/** After a room line: a `join` lists its member under the name, a `leave` forgets it. */
export function followLine(book: MemberBook, line: ChatLine): MemberBook {
  const user = line.member;
  if (user === undefined || line.event === "message") return book;
  const names = new Map(book.names);
  if (line.event === "join") {
    names.set(user, line.user);
    return {
      names,
      members: withMember(book.members, { name: line.user, user }),
    };
  }
  names.delete(user);
  return { names, members: withoutMember(book.members, user) };
}

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

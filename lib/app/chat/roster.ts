/** A room's member list: unique names regardless of case, in one order; used by the server and the page alike. */
import { usernameKey } from "./name_key.ts";

/** True when two usernames are the same member (case does not count). */
export function sameName(a: string, b: string): boolean {
  return usernameKey(a) === usernameKey(b);
}

/** The list with `user` added, unless a member has that name already (unsorted). */
export function withMember(names: string[], user: string): string[] {
  return names.some((n) => sameName(n, user)) ? names : [...names, user];
}

export function withoutMember(names: string[], user: string): string[] {
  return names.filter((n) => !sameName(n, user));
}

/** The member list's order: alphabetical whatever the case, then by code unit. */
export function byName(a: string, b: string): number {
  return a.localeCompare(b, "en", { sensitivity: "base" }) || (a < b ? -1 : 1);
}

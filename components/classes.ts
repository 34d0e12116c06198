/** Joins class lists, skipping the missing ones. */
export function classes(...lists: (string | false | null | undefined)[]) {
  return lists.filter(Boolean).join(" ");
}

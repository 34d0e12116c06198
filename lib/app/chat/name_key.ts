/**
 * When two usernames are the same name: after NFKC, look-alike folding, accents
 * dropped and case ignored, so no one joins as `аdmin` beside `admin`.
 *
 * @module
 */
import { remove } from "confusables";

/** Letters UTS #39 folds to `i`/`j` that the confusables table maps elsewhere. */
const EXTRA: Record<string, string> = { "ı": "i", "ɩ": "i", "ȷ": "j" };

/** The key under which a username is unique in a room. */
export function usernameKey(name: string): string {
  const compatible = [...name.normalize("NFKC")].map((c) => EXTRA[c] ?? c)
    .join("");
  return remove(compatible).normalize("NFKD").replace(/\p{M}/gu, "")
    .toLocaleLowerCase("en");
}

/**
 * The HTML comments that delimit islands and slots in server-rendered pages, written
 * by the server renderer and read by the browser runtime.
 *
 * @module
 */

/** The `id` of the script that holds the props of every island on a page. */
export const STATE_SCRIPT_ID = "__FRSH_STATE";

/** Comment text that opens island number `index`. Close it with `"/" + text`. */
export function islandMarker(name: string, index: number, key: string): string {
  // encodeURIComponent: a key can never end the comment (`>` is encoded).
  return `frsh-${name}:${index}:${encodeURIComponent(key)}`;
}

/** Comment text that opens the slot `prop` of island number `index`. */
export function slotMarker(index: number, prop: string): string {
  return `frsh-slot-${index}:${prop}`;
}

export interface IslandMarker {
  name: string;
  index: number;
  key: string;
}

const ISLAND = /^frsh-(?!slot-)([\w-]+):(\d+):(.*)$/;

/** The island that a comment opens, or null for any other comment. */
export function parseIslandMarker(text: string): IslandMarker | null {
  const match = ISLAND.exec(text);
  if (!match) return null;
  let key = match[3];
  try {
    key = decodeURIComponent(key);
  } catch { /* keep it as it is */ }
  return { name: match[1], index: Number(match[2]), key };
}

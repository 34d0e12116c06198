/**
 * Island props as ONE JSON document that keeps signals, shared references and typed
 * values, safe inside `<script>`; used by server and browser (format: ARCHITECTURE.md,
 * lib/fresh).
 *
 * @example
 * ```ts
 * const back = deserialize(serialize({ when: new Date(0) })) as { when: Date };
 * ```
 *
 * @module
 */
import { type Signal, signal } from "@preact/signals";

const UNDEFINED = -1;
const HOLE = -2;
const NAN = -3;
const POSITIVE_INFINITY = -4;
const NEGATIVE_INFINITY = -5;
const NEGATIVE_ZERO = -6;

/**
 * An island prop that was JSX: the server renders it in place, between
 * `frsh-slot` markers, and the browser rebuilds it from that HTML.
 */
export class Slot {
  constructor(readonly name: string, readonly islandIndex: number) {}
}

/** Turns a slot back into something an island can render (browser side). */
export type SlotReviver = (slot: Slot) => unknown;

/** Preact signals (and computed signals) carry these two members. */
function isSignal(value: object): value is Signal {
  return "peek" in value && "brand" in value &&
    (value as { brand: unknown }).brand === Symbol.for("preact-signals");
}

/** Island props nested deeper than this are refused (see {@link serialize}). */
export const MAX_DEPTH = 500;

/** Where a value sits in the props, kept as a chain so a path is built only for an error. */
interface Place {
  parent: Place | null;
  key: string;
  depth: number;
}

function pathOf(place: Place): string {
  const parts: string[] = [];
  for (let p: Place | null = place; p; p = p.parent) parts.push(p.key);
  const path = parts.reverse().join("");
  return path.length > 200 ? `${path.slice(0, 100)}…${path.slice(-100)}` : path;
}

/**
 * JSON for `value`, safe to embed in a `<script type="application/json">`.
 * The walk is iterative (a work list, not recursion), so no value can
 * overflow the stack; a value nested deeper than {@link MAX_DEPTH} is a
 * TypeError that names where.
 */
export function serialize(value: unknown): string {
  const table: unknown[] = [];
  const seen = new Map<unknown, number>();
  const pending: { item: unknown; index: number; place: Place }[] = [];

  const add = (item: unknown, place: Place): number => {
    switch (typeof item) {
      case "undefined":
        return UNDEFINED;
      case "number":
        if (Number.isNaN(item)) return NAN;
        if (item === Infinity) return POSITIVE_INFINITY;
        if (item === -Infinity) return NEGATIVE_INFINITY;
        if (Object.is(item, -0)) return NEGATIVE_ZERO;
        break;
      case "function":
      case "symbol":
        throw new TypeError(
          `Cannot serialize the ${typeof item} at ${
            pathOf(place)
          } (island props must be data)`,
        );
    }
    const known = seen.get(item);
    if (known !== undefined) return known;
    if (place.depth > MAX_DEPTH) {
      throw new TypeError(
        `Cannot serialize island props nested deeper than ${MAX_DEPTH} levels (at ${
          pathOf(place)
        })`,
      );
    }
    const index = table.length;
    table.push(undefined);
    seen.set(item, index);
    pending.push({ item, index, place });
    return index;
  };

  const encode = (item: unknown, place: Place): unknown => {
    if (item === null || typeof item !== "object") {
      if (typeof item === "bigint") return ["BigInt", item.toString()];
      return item;
    }
    const at = (key: string): Place => ({
      parent: place,
      key,
      depth: place.depth + 1,
    });
    if (Array.isArray(item)) {
      const out: number[] = [];
      for (let i = 0; i < item.length; i++) {
        out.push(i in item ? add(item[i], at(`[${i}]`)) : HOLE);
      }
      return out;
    }
    if (item instanceof Slot) return ["Slot", item.name, item.islandIndex];
    if (isSignal(item)) return ["Signal", add(item.peek(), at(".value"))];
    if (item instanceof Date) {
      return ["Date", Number.isNaN(item.getTime()) ? "" : item.toISOString()];
    }
    if (item instanceof Map) {
      const out: unknown[] = ["Map"];
      let i = 0;
      for (const [k, v] of item) {
        out.push(add(k, at(`<key ${i}>`)), add(v, at(`<value ${i}>`)));
        i++;
      }
      return out;
    }
    if (item instanceof Set) {
      return ["Set", ...[...item].map((v, i) => add(v, at(`<${i}>`)))];
    }
    if (item instanceof URL) return ["URL", item.href];
    if (item instanceof RegExp) return ["RegExp", item.source, item.flags];
    const out: Record<string, number> = {};
    for (const key of Object.keys(item)) {
      out[key] = add((item as Record<string, unknown>)[key], at(`.${key}`));
    }
    return out;
  };

  const root = add(value, { parent: null, key: "props", depth: 0 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    table[next.index] = encode(next.item, next.place);
  }
  return escapeForScript(JSON.stringify(root < 0 ? root : table));
}

/**
 * JSON text made safe inside `<script>`: `<` (covers `</script>` and
 * `<!--`) and U+2028/U+2029 (line ends in old JS) become `\uXXXX`
 * escapes; in JSON these characters only occur inside strings.
 */
export function escapeForScript(json: string): string {
  return json.replace(
    /[<\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** Options of {@link deserialize}. */
export interface DeserializeOptions {
  /** What a slot becomes; by default the {@link Slot} itself. */
  slot?: SlotReviver;
}

/** The value that {@link serialize} wrote; signals come back as live signals. */
export function deserialize(
  text: string,
  options: DeserializeOptions = {},
): unknown {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === "number") return constant(parsed);
  if (!Array.isArray(parsed)) throw new TypeError("not a serialized value");
  const table = parsed as unknown[];
  const done = new Map<number, unknown>();

  const read = (index: number): unknown => {
    if (index < 0) return constant(index);
    if (done.has(index)) return done.get(index);
    const entry = table[index];
    if (entry === null || typeof entry !== "object") {
      done.set(index, entry);
      return entry;
    }
    if (Array.isArray(entry)) {
      if (typeof entry[0] === "string") return readTyped(index, entry);
      const out: unknown[] = new Array(entry.length);
      done.set(index, out);
      entry.forEach((member: number, i) => {
        if (member !== HOLE) out[i] = read(member);
      });
      return out;
    }
    const out: Record<string, unknown> = {};
    done.set(index, out);
    for (const [key, member] of Object.entries(entry)) {
      // defineProperty: a "__proto__" key stays a plain key.
      Object.defineProperty(out, key, {
        value: read(member as number),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };

  const readTyped = (index: number, entry: unknown[]): unknown => {
    const [tag, ...rest] = entry;
    const set = <T>(value: T): T => (done.set(index, value), value);
    switch (tag) {
      case "Signal": {
        const out = set(signal<unknown>(undefined));
        out.value = read(rest[0] as number);
        return out;
      }
      case "Date":
        return set(new Date(rest[0] === "" ? NaN : rest[0] as string));
      case "Map": {
        const out = set(new Map<unknown, unknown>());
        for (let i = 0; i < rest.length; i += 2) {
          out.set(read(rest[i] as number), read(rest[i + 1] as number));
        }
        return out;
      }
      case "Set": {
        const out = set(new Set<unknown>());
        for (const member of rest) out.add(read(member as number));
        return out;
      }
      case "BigInt":
        return set(BigInt(rest[0] as string));
      case "URL":
        return set(new URL(rest[0] as string));
      case "RegExp":
        return set(new RegExp(rest[0] as string, rest[1] as string));
      case "Slot": {
        const slot = new Slot(rest[0] as string, rest[1] as number);
        return set(options.slot ? options.slot(slot) : slot);
      }
    }
    throw new TypeError(`unknown serialized type ${String(tag)}`);
  };

  return read(0);
}

function constant(code: number): unknown {
  switch (code) {
    case UNDEFINED:
      return undefined;
    case NAN:
      return NaN;
    case POSITIVE_INFINITY:
      return Infinity;
    case NEGATIVE_INFINITY:
      return -Infinity;
    case NEGATIVE_ZERO:
      return -0;
  }
  throw new TypeError(`unknown serialized constant ${code}`);
}

/** The island props serializer: round trips, shared signals, hostile strings. @module */
import assert from "node:assert/strict";
import { computed, type Signal, signal } from "@preact/signals";
import {
  deserialize,
  MAX_DEPTH,
  serialize,
  Slot,
} from "../../../lib/fresh/src/runtime/serializer.ts";

function roundTrip<T>(value: T): T {
  return deserialize(serialize(value)) as T;
}

Deno.test("serializer: plain JSON values come back equal", () => {
  const value = {
    text: "héllo",
    n: 42.5,
    yes: true,
    none: null,
    list: [1, "two", { three: 3 }],
    nested: { deep: { deeper: ["x"] } },
  };
  assert.deepEqual(roundTrip(value), value);
});

Deno.test("serializer: undefined, NaN, ±Infinity, -0, holes, BigInt", () => {
  // deno-lint-ignore no-sparse-arrays
  const value = [undefined, NaN, Infinity, -Infinity, -0, , 10n];
  const back = roundTrip(value);
  assert.deepEqual(back.length, 7);
  assert.equal(back[0], undefined);
  assert(Number.isNaN(back[1]));
  assert.equal(back[2], Infinity);
  assert.equal(back[3], -Infinity);
  assert(Object.is(back[4], -0));
  assert(!(5 in back), "a hole stays a hole");
  assert.equal(back[6], 10n);
  assert.equal(roundTrip(undefined), undefined);
  assert(Object.is(roundTrip(-0), -0));
  assert.deepEqual(roundTrip({ a: undefined }), { a: undefined });
  assert("a" in roundTrip({ a: undefined }));
});

Deno.test("serializer: Date, Map, Set, URL, RegExp", () => {
  const value = {
    when: new Date("2026-11-21T10:00:00.000Z"),
    invalid: new Date(NaN),
    map: new Map<unknown, unknown>([["a", 1], [2, { b: true }]]),
    set: new Set(["x", "y"]),
    url: new URL("https://example.com/a?b=c"),
    re: /a+b/gi,
  };
  const back = roundTrip(value);
  assert(back.when instanceof Date);
  assert.deepEqual(back.when.toISOString(), "2026-11-21T10:00:00.000Z");
  assert(Number.isNaN(back.invalid.getTime()));
  assert.deepEqual(back.map, value.map);
  assert.deepEqual(back.set, value.set);
  assert.deepEqual(back.url.href, value.url.href);
  assert.deepEqual(String(back.re), "/a+b/gi");
});

Deno.test("serializer: a repeated object is written once and comes back as one object", () => {
  const shared = { name: "shared", list: [1, 2, 3] };
  const value = { a: shared, b: shared, inner: { c: shared } };
  const text = serialize(value);
  assert.deepEqual(text.split('"shared"').length - 1, 1, "written once");
  const back = roundTrip(value);
  assert.equal(back.a, back.b);
  assert.equal(back.a, back.inner.c);
  assert.deepEqual(back.a.list, [1, 2, 3]);
});

Deno.test("serializer: cycles survive", () => {
  const node: { name: string; self?: unknown; children: unknown[] } = {
    name: "root",
    children: [],
  };
  node.self = node;
  node.children.push({ parent: node });
  const back = roundTrip(node);
  assert.equal(back.self, back);
  assert.equal((back.children[0] as { parent: unknown }).parent, back);
});

Deno.test("serializer: a signal comes back as a live signal, one per server signal", () => {
  const count = signal(5);
  const label = signal("x");
  const value = [{ count, label }, { count }, { nested: { count } }];
  const back = roundTrip(value) as [
    { count: Signal<number>; label: Signal<string> },
    { count: Signal<number> },
    { nested: { count: Signal<number> } },
  ];
  assert.deepEqual(back[0].count.value, 5);
  assert.deepEqual(back[0].label.value, "x");
  assert.equal(back[0].count, back[1].count, "one shared signal");
  assert.equal(back[0].count, back[2].nested.count);
  assert.notEqual(back[0].count as unknown, back[0].label as unknown);
  // Live: a change through one holder is seen through the other.
  back[1].count.value = 9;
  assert.deepEqual(back[0].count.value, 9);
  const doubled = computed(() => back[0].count.value * 2);
  back[0].count.value = 10;
  assert.deepEqual(doubled.value, 20);
});

Deno.test("serializer: a signal holding an object, and a computed signal, keep their values", () => {
  const base = signal(2);
  const value = {
    obj: signal({ items: ["a"] }),
    twice: computed(() => base.value * 2),
  };
  const back = roundTrip(value) as {
    obj: Signal<{ items: string[] }>;
    twice: Signal<number>;
  };
  assert.deepEqual(back.obj.value, { items: ["a"] });
  assert.deepEqual(back.twice.value, 4);
});

Deno.test("serializer: hostile strings cannot end the script and parse back equal", () => {
  const hostile = [
    "</script><script>alert(1)</script>",
    "</SCRIPT >",
    "<!-- <script>",
    "line\u2028separator\u2029paragraph",
    '"quotes" \\ backslash \u0000 nul',
  ];
  const value = { [hostile[0]]: hostile, key: hostile.join("") };
  const text = serialize(value);
  assert(!text.includes("<"), "no < at all");
  assert(!/<\/script/i.test(text));
  assert(!text.includes("<!--"));
  assert(!text.includes("\u2028") && !text.includes("\u2029"));
  assert.deepEqual(deserialize(text), value);
});

Deno.test("serializer: a __proto__ key stays data", () => {
  const value = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}');
  const back = roundTrip(value) as Record<string, unknown>;
  assert.deepEqual(Object.getPrototypeOf(back), Object.prototype);
  assert.deepEqual(({} as Record<string, unknown>).polluted, undefined);
  assert.deepEqual(Object.keys(back).sort(), ["__proto__", "ok"]);
});

Deno.test("serializer: slots come back as Slot, or as what the reviver makes", () => {
  const text = serialize({ children: new Slot("children", 3) });
  const plain = deserialize(text) as { children: Slot };
  assert(plain.children instanceof Slot);
  assert.deepEqual([plain.children.name, plain.children.islandIndex], [
    "children",
    3,
  ]);
  const revived = deserialize(text, { slot: (s) => `slot ${s.name}` });
  assert.deepEqual(revived, { children: "slot children" });
});

Deno.test("serializer: functions and symbols are refused with the path", () => {
  assert.throws(
    () => serialize({ props: { onClick: () => {} } }),
    /function at props\.props\.onClick/,
  );
  assert.throws(() => serialize([Symbol("x")]), /symbol at props\[0\]/);
});

Deno.test("props nested past the limit are a clear error, never a stack overflow", () => {
  const nested = (depth: number) => {
    let value: unknown = "bottom";
    for (let i = 0; i < depth; i++) value = { a: value };
    return value;
  };
  // Within the limit: back as it went.
  assert.deepEqual(deserialize(serialize(nested(400))), nested(400));
  for (const depth of [2_000, 100_000]) {
    assert.throws(
      () => serialize({ fields: nested(depth) }),
      (err: unknown) =>
        err instanceof TypeError &&
        err.message.includes(`deeper than ${MAX_DEPTH} levels`) &&
        err.message.includes("props.fields.a.a"),
    );
  }
});

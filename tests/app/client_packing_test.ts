/**
 * The packing of subscription groups into connections (lib/client/packing.ts):
 * each group whole on one connection, within the cap, as few connections as
 * possible, groups staying where they are while the set changes.
 *
 * @module
 */
import {
  deepStrictEqual as assertEquals,
  ok as assert,
} from "node:assert/strict";
import {
  type Bin,
  groupChannels,
  groupKey,
  packGroups,
} from "../../lib/client/packing.ts";

/** A chat room tab's groups: the room and its presence channel, as ChatRoom subscribes. */
function room(n: number): string[] {
  return [groupKey([`chat:r${n}`, `presence:chat:r${n}`])];
}

function assertValid(bins: Bin[], groups: string[], cap: number) {
  const placed = bins.flatMap((b) => b.groups).sort();
  assertEquals(placed, [...new Set(groups)].sort(), "every group once");
  for (const bin of bins) {
    assert(bin.channels.length <= cap, `${bin.channels.length} > ${cap}`);
    const union = new Set(bin.groups.flatMap(groupChannels));
    assertEquals(bin.channels, [...union].sort());
  }
}

const used = (bins: Bin[]) => bins.filter((b) => b.groups.length > 0).length;

Deno.test("packing: a union within the cap is one connection", () => {
  const groups = [
    groupKey(["notifications"]),
    groupKey(["user:u1", "notifications"]),
    ...room(1),
  ];
  const { bins, tooLarge } = packGroups(groups, 32);
  assertEquals(bins.length, 1);
  assertEquals(bins[0].channels, [
    "chat:r1",
    "notifications",
    "presence:chat:r1",
    "user:u1",
  ]);
  assertEquals(tooLarge, []);
});

Deno.test("packing: twenty rooms and the notifications page take two connections of 32", () => {
  const groups = [
    groupKey(["notifications"]),
    groupKey(["notifications", "user:u1"]),
    ...Array.from({ length: 20 }, (_, i) => room(i)).flat(),
  ];
  const { bins } = packGroups(groups, 32);
  assertValid(bins, groups, 32);
  assertEquals(used(bins), 2, "43 channels: the minimum is two");
});

Deno.test("packing: a group larger than the cap is set aside, the others are packed", () => {
  const big = groupKey(Array.from({ length: 5 }, (_, i) => `c${i}`));
  const groups = [big, groupKey(["a", "b"]), groupKey(["c"])];
  const { bins, tooLarge } = packGroups(groups, 4);
  assertEquals(tooLarge, [big]);
  assertValid(bins, groups.slice(1), 4);
  assertEquals(used(bins), 1);
});

Deno.test("packing: groups sharing channels count them once", () => {
  const groups = [groupKey(["a", "b"]), groupKey(["b", "c"])];
  const { bins } = packGroups(groups, 3);
  assertEquals(bins.map((b) => b.channels), [["a", "b", "c"]]);
});

Deno.test("packing: groups stay on their connection while the set changes", () => {
  const groups = Array.from({ length: 20 }, (_, i) => room(i)).flat();
  const first = packGroups(groups, 32).bins;
  const previous = first.map((b) => b.groups);

  // A new room joins where it fits; no existing group moves.
  const added = packGroups([...groups, ...room(20)], 32, previous).bins;
  previous.forEach((keys, i) =>
    assert(keys.every((k) => added[i].groups.includes(k)), `bin ${i} kept`)
  );
  assertValid(added, [...groups, ...room(20)], 32);

  // A room leaves: the others stay put.
  const removed = packGroups(groups.slice(1), 32, previous).bins;
  assertEquals(
    removed.map((b) => b.groups),
    [
      previous[0].filter((k) => k !== groups[0]),
      ...previous.slice(1),
    ].map((keys) => [...keys].sort()),
  );
});

Deno.test("packing: when fewer connections would do, the groups gather on the one they share most channels with", () => {
  const [a, b, c] = [groupKey(["a"]), groupKey(["b"]), groupKey(["c", "d"])];
  // Three connections left from when the cap was reached; now all fit one.
  const { bins } = packGroups([a, b, c], 4, [[a], [b], [c]]);
  assertEquals(used(bins), 1);
  assertEquals(bins.length, 3, "one bin per previous connection");
  // On the connection with most of its channels (c, d); the others close.
  assertEquals(bins.map((b) => b.groups.sort()), [[], [], [a, b, c].sort()]);
  // A closed connection's place is taken by the next new one.
  const next = packGroups([a, b, c, groupKey(["e", "f", "g"])], 4, [
    [a, b, c],
    [],
  ]).bins;
  assertEquals(next.length, 2);
  assertEquals(next[1].channels, ["e", "f", "g"]);
  // The one whose channels stay the same keeps them: it needs no reopen.
  const [abc, ade, lone] = [["a", "b", "c"], ["a", "d", "e"], ["a"]].map((c) =>
    groupKey(c)
  );
  const gathered = packGroups([ade, lone], 4, [[abc, lone], [ade]]).bins;
  assertEquals(gathered.map((b) => b.channels), [[], ["a", "d", "e"]]);
});

import assert from "node:assert";
import {
  compareIds,
  EVENT_ID_LENGTH,
  eventIdAtTime,
  formatEventId,
  IdClock,
  isEventId,
  randomOrigin,
} from "../../../lib/realtime/brokers/event_id.ts";

Deno.test("event ids: fixed width, and string order is publish order", () => {
  const clock = new IdClock();
  const ids = Array.from({ length: 1000 }, () => clock.next());
  assert.ok(ids.every((id) => id.length === EVENT_ID_LENGTH && isEventId(id)));
  assert.deepStrictEqual([...ids].sort(), ids);
  assert.strictEqual(new Set(ids).size, ids.length);
  assert.strictEqual(compareIds(ids[0], ids[1]), -1);
  assert.strictEqual(compareIds(ids[1], ids[1]), 0);
});

Deno.test("event ids: the clock never goes back, even when wall time does", () => {
  const clock = new IdClock();
  const a = clock.next(2_000_000);
  const b = clock.next(1_000_000); // wall clock stepped back
  assert.ok(b > a);
  clock.observe(formatEventId(9_000_000_000));
  assert.ok(clock.next(2_000_000) > formatEventId(9_000_000_000));
});

Deno.test("event ids: isEventId rejects malformed Last-Event-IDs", () => {
  for (
    const bad of [
      "",
      "1",
      "abc",
      "1795289864145000-000",
      "1795289864145000-0000\n",
      "x795289864145000-0000",
      null,
      5,
    ]
  ) {
    assert.strictEqual(isEventId(bad), false, String(bad));
  }
  assert.ok(isEventId(formatEventId(1, randomOrigin())));
});

Deno.test("event ids: eventIdAtTime sorts before ids minted at or after that time", () => {
  const clock = new IdClock();
  const t = Date.now();
  assert.ok(eventIdAtTime(t) <= clock.next(t));
  assert.ok(eventIdAtTime(t + 1) > clock.next(t));
});

import assert from "node:assert/strict";
import {
  ChannelLimiter,
  ConcurrencyLimiter,
  RateLimiter,
} from "../../lib/access/limits.ts";

Deno.test("the concurrency limiter refuses past the maximum and frees on release", () => {
  const limiter = new ConcurrencyLimiter(2);
  const a = limiter.tryAcquire("u")!;
  const b = limiter.tryAcquire("u")!;
  assert.equal(limiter.tryAcquire("u"), null);
  assert.ok(limiter.tryAcquire("v"), "another key has its own count");
  a();
  a(); // releasing twice frees only once
  assert.equal(limiter.count("u"), 1);
  assert.ok(limiter.tryAcquire("u"));
  assert.equal(limiter.tryAcquire("u"), null);
  b();
});

Deno.test("the concurrency limiter forgets keys with nothing open", () => {
  const limiter = new ConcurrencyLimiter(5);
  const releases = Array.from(
    { length: 1000 },
    (_, i) => limiter.tryAcquire(`ip:${i}`)!,
  );
  assert.equal(limiter.size, 1000);
  releases.forEach((release) => release());
  assert.equal(limiter.size, 0);
});

Deno.test("a limit of 0 switches the limiter off", () => {
  const streams = new ConcurrencyLimiter(0);
  for (let i = 0; i < 100; i++) assert.ok(streams.tryAcquire("u"));
  const rate = new RateLimiter({ rate: 0, burst: 1, maxKeys: 10 });
  for (let i = 0; i < 100; i++) assert.ok(rate.take("k", 0).ok);
});

Deno.test("the token bucket allows a burst, then the rate, with Retry-After", () => {
  const limiter = new RateLimiter({ rate: 2, burst: 4, maxKeys: 100 });
  for (let i = 0; i < 4; i++) {
    assert.ok(limiter.take("k", 1000).ok, `burst ${i}`);
  }
  const refused = limiter.take("k", 1000);
  assert.deepEqual(refused, { ok: false, retryAfterSeconds: 1 });
  assert.ok(limiter.take("other", 1000).ok, "another key has its own bucket");
  // Half a second at 2/s refills one token.
  assert.ok(limiter.take("k", 1500).ok);
  assert.equal(limiter.take("k", 1500).ok, false);
});

Deno.test("Retry-After rounds up to whole seconds for slow rates", () => {
  const limiter = new RateLimiter({ rate: 0.1, burst: 1, maxKeys: 100 });
  assert.ok(limiter.take("k", 0).ok);
  assert.deepEqual(limiter.take("k", 0), { ok: false, retryAfterSeconds: 10 });
});

Deno.test("rate buckets stay bounded: LRU past maxKeys, idle ones swept", () => {
  const limiter = new RateLimiter({ rate: 10, burst: 10, maxKeys: 50 });
  for (let i = 0; i < 10_000; i++) limiter.take(`ip:${i}`, 0);
  assert.equal(limiter.size, 50);
  // After they would all have refilled (1 s), the next call sweeps them.
  limiter.take("late", 5000);
  assert.equal(limiter.size, 1);
});

Deno.test("an evicted caller starts over with a full burst (documented)", () => {
  const limiter = new RateLimiter({ rate: 1, burst: 1, maxKeys: 1 });
  assert.ok(limiter.take("a", 0).ok);
  assert.equal(limiter.take("a", 0).ok, false);
  limiter.take("b", 0); // evicts "a"
  assert.ok(limiter.take("a", 0).ok);
});

Deno.test("the channel limiter counts distinct channels per key, each once, and frees them with their last holder", () => {
  const limiter = new ChannelLimiter(3);
  const a = limiter.tryAcquire("ip:1", ["x", "y", "y"])!;
  const b = limiter.tryAcquire("ip:1", ["x", "y", "z"])!;
  assert.equal(limiter.count("ip:1"), 3);
  assert.equal(limiter.tryAcquire("ip:1", ["w"]), null, "a fourth channel");
  assert.ok(limiter.tryAcquire("ip:2", ["w"]), "another key has its own");
  a();
  a(); // releasing twice frees only once
  assert.equal(limiter.count("ip:1"), 3, "b still holds x, y, z");
  b();
  assert.equal(limiter.count("ip:1"), 0);
  assert.equal(limiter.size, 1, "a key with nothing held is forgotten");
  assert.ok(limiter.tryAcquire("ip:1", ["p", "q", "r"]));
});

/**
 * The listener's pure parts: which address a connection counts under, and
 * the default caps derived from the descriptor limit.
 */
import assert from "node:assert/strict";
import {
  addressKey,
  resolveLimits,
} from "../../../lib/fresh/src/server/listener.ts";

Deno.test("IPv4 counts by address; IPv6 by its /64, however it is written", () => {
  assert.equal(addressKey("203.0.113.7"), "203.0.113.7");
  assert.equal(addressKey("::ffff:203.0.113.7"), "203.0.113.7");
  const a = addressKey("2001:db8:1:2::1");
  assert.equal(a, "2001:db8:1:2::/64");
  assert.equal(addressKey("2001:0db8:0001:0002:ffff:1:2:3"), a);
  assert.equal(addressKey("2001:db8:1:2:0:0:0:9%eth0"), a);
  assert.notEqual(addressKey("2001:db8:1:3::1"), a);
  assert.equal(addressKey("::1"), "0:0:0:0::/64");
});

Deno.test("default caps stay below the descriptor limit", () => {
  const low = resolveLimits({}, 256);
  assert.equal(low.maxConnections, 192); // a reserve of 64
  assert.equal(low.maxConnectionsPerAddress, 48); // a quarter
  const usual = resolveLimits({}, 1024);
  assert.equal(usual.maxConnections, 921);
  assert.equal(usual.maxConnectionsPerAddress, 230);
  const high = resolveLimits({}, 20_000);
  assert.equal(high.maxConnections, 18_000);
  assert.equal(high.maxConnectionsPerAddress, 256);
  assert.equal(resolveLimits({}, null).maxConnections, 0, "unknown: no cap");
  const set = resolveLimits({
    maxConnections: 10,
    maxConnectionsPerAddress: 0,
  }, 256);
  assert.equal(set.maxConnections, 10);
  assert.equal(set.maxConnectionsPerAddress, 0, "0 switches it off");
});

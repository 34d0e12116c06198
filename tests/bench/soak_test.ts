/**
 * A short soak (bench/soak.ts) as a test: 15 s of small attack waves against
 * a real Herald process under a descriptor limit of 256, while well-behaved
 * clients stream. Nothing they were sent may be lost, duplicated or out of
 * order, the server must still answer, and its peak memory stay within the
 * budget.
 */
import assert from "node:assert/strict";
import { SHORT_SCALE } from "../../bench/soak/attacks.ts";
import { soakReport } from "../../bench/soak/report.ts";
import { mb, runSoak } from "../../bench/soak/run.ts";

Deno.test({
  name:
    "soak: well-behaved clients get every message in order while the attack mix runs, the server keeps listening within its memory budget",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const result = await runSoak({
      seconds: 15,
      scale: SHORT_SCALE,
      nofile: 256,
      subscribers: 20,
      rate: 10,
      bigEvents: 60,
      holdMs: 4000,
      // Shorter waits than the defaults, so that a wave fits the test's time.
      env: {
        HERALD_BODY_TIMEOUT_MS: "2000",
        HERALD_HEADERS_TIMEOUT_MS: "2000",
        HERALD_REPLAY_STALL_MS: "2000",
        HERALD_HISTORY_SEND_MS: "2000",
      },
    });
    console.log(soakReport(result));
    const d = result.delivery;
    assert.ok(d.expected > 0, "nothing was published");
    assert.deepEqual(
      { lost: d.lost, duplicated: d.duplicated, outOfOrder: d.outOfOrder },
      { lost: 0, duplicated: 0, outOfOrder: 0 },
      `well-behaved clients: ${JSON.stringify(d)}`,
    );
    assert.ok(result.alive, "the server process exited");
    assert.deepEqual(result.listening, { about: 200, health: 200 });
    assert.ok(
      result.memory.peak <= result.memory.budget.total,
      `peak RSS ${mb(result.memory.peak)} over the budget ${
        mb(result.memory.budget.total)
      }`,
    );
  },
});

import assert from "node:assert/strict";
import { openSharedKv } from "../../lib/kv/shared.ts";

Deno.test("users of one KV path share one handle until the last one releases it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/nested/herald.kv`;
    const a = await openSharedKv(path);
    const b = await openSharedKv(path);
    assert.equal(a.kv, b.kv, "one handle");
    await a.kv.set(["k"], 1);
    a.release();
    a.release(); // idempotent: b still holds it
    assert.equal((await b.kv.get(["k"])).value, 1, "still open for b");
    b.release();
    const c = await openSharedKv(path);
    assert.notEqual(c.kv, a.kv, "a fresh handle after the last release");
    assert.equal((await c.kv.get(["k"])).value, 1, "same file");
    c.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a KV that cannot be opened fails each caller and is not kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/file`, "");
    const path = `${dir}/file/herald.kv`; // a folder that is a file
    await assert.rejects(() => openSharedKv(path));
    await assert.rejects(() => openSharedKv(path));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

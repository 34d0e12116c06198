/**
 * StaticFiles on a folder of its own: production indexes once (nested files,
 * first folder wins, links out refused); dev looks on every request.
 * @module
 */
import assert from "node:assert/strict";
import { StaticFiles } from "../../../lib/fresh/src/server/static_files.ts";

async function folders() {
  const top = await Deno.makeTempDir();
  await Deno.mkdir(`${top}/built/css`, { recursive: true });
  await Deno.mkdir(`${top}/static/css`, { recursive: true });
  await Deno.writeTextFile(`${top}/built/css/app.css`, "built");
  await Deno.writeTextFile(`${top}/static/css/app.css`, "source");
  await Deno.writeTextFile(`${top}/static/a b.txt`, "spaced");
  await Deno.writeTextFile(`${top}/secret.txt`, "secret");
  await Deno.symlink(`${top}/secret.txt`, `${top}/static/leak.txt`);
  await Deno.symlink(`${top}/static/a b.txt`, `${top}/static/alias.txt`);
  return top;
}

Deno.test("production: nested files, first folder wins, links out are not served", async () => {
  const top = await folders();
  try {
    const files = new StaticFiles([`${top}/built`, `${top}/static`]);
    const css = await files.find("/css/app.css");
    assert.equal(await Deno.readTextFile(css!.path), "built");
    const spaced = await files.find("/a%20b.txt");
    assert.equal(await Deno.readTextFile(spaced!.path), "spaced");
    assert.ok(await files.find("/alias.txt"), "a link inside the folder");
    assert.equal(await files.find("/leak.txt"), null, "a link out");
    assert.equal(await files.find("/../secret.txt"), null);
    assert.equal(await files.find("/css"), null, "a folder is not a file");
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});

Deno.test("dev sees a file added after start; production serves its start-up index", async () => {
  const top = await folders();
  try {
    const dev = new StaticFiles([`${top}/static`], true);
    const prod = new StaticFiles([`${top}/static`], false);
    assert.equal(await dev.find("/new.txt"), null);
    assert.equal(await prod.find("/new.txt"), null);
    await Deno.writeTextFile(`${top}/static/new.txt`, "new");
    assert.ok(await dev.find("/new.txt"));
    assert.equal(await prod.find("/new.txt"), null);
    assert.equal(
      await dev.find("/leak.txt"),
      null,
      "dev refuses links out too",
    );
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});

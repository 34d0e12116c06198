/**
 * The built app run the way Deno Deploy runs it: `main.ts` with all
 * permissions, `DENO_DEPLOYMENT_ID` set, the working tree mounted read-only
 * (a private mount namespace: every write into it fails with EROFS, root
 * included), and the platform KV (`Deno.openKv()` with no path, which the
 * two instances share because they run the same main module). Instance A
 * gets SIGINT, then SIGKILL 5 s later as on Deploy; a client streaming
 * through A resumes on B with Last-Event-ID and has every published message
 * exactly once, in order.
 */
import assert from "node:assert/strict";
import { requirement } from "../_support/requirement.ts";
import {
  ensureBuild,
  REPO_ROOT,
  type RunningServer,
  startServer,
} from "../_support/server.ts";
import { sleep, waitFor } from "../_support/wait.ts";
import { ResumingStream } from "./_resume.ts";

/** Mounts `$HERALD_RO_SOURCE` read-only on `$HERALD_RO_MOUNT` in a private mount namespace, then runs the command there. */
const READ_ONLY_TREE = [
  "unshare",
  "--mount",
  "--propagation",
  "private",
  "sh",
  "-c",
  'mount --bind -o ro "$HERALD_RO_SOURCE" "$HERALD_RO_MOUNT" && cd "$HERALD_RO_MOUNT" && exec "$0" "$@"',
];

/** True when a read-only bind mount can be made and a write into it fails. */
async function readOnlyTreeWorks(mount: string): Promise<boolean> {
  try {
    const probe = await new Deno.Command(READ_ONLY_TREE[0], {
      args: [
        ...READ_ONLY_TREE.slice(1),
        "touch",
        "herald-write-probe",
      ],
      env: { HERALD_RO_SOURCE: REPO_ROOT, HERALD_RO_MOUNT: mount },
      stdout: "null",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(probe.stderr);
    return !probe.success && stderr.includes("Read-only file system");
  } catch {
    return false;
  }
}

async function originStorage(): Promise<string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json"],
    stdout: "piped",
    stderr: "null",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout)).originStorage;
}

async function listDir(path: string): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const entry of Deno.readDir(path)) names.add(entry.name);
  } catch { /* not there yet */ }
  return names;
}

const mount = await Deno.makeTempDir({ prefix: "herald-deploy-" });
const available = requirement(
  await readOnlyTreeWorks(mount),
  "a read-only bind mount (unshare --mount, as root on Linux)",
  "run the tests as root on Linux",
);
if (!available) await Deno.remove(mount);

Deno.test({
  name:
    "deploy-like: read-only tree, platform KV, SIGINT hand-over: the client resumes on another instance with nothing lost or doubled",
  ignore: !available,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await ensureBuild();
    const storage = await originStorage();
    const before = await listDir(storage);
    const deployment = `test-${crypto.randomUUID().slice(0, 8)}`;
    const env = {
      HERALD_RO_SOURCE: REPO_ROOT,
      HERALD_RO_MOUNT: mount,
      DENO_DEPLOYMENT_ID: deployment,
      DENO_DEPLOY: "1",
      HERALD_BROKER: "kv",
      // A KV path that Deploy ignores: were it used, the start would fail (read-only).
      HERALD_KV_PATH: "./data/must-not-be-used.kv",
    };
    const start = () =>
      startServer({
        entry: "main.ts",
        wrapper: READ_ONLY_TREE,
        env,
        readyPath: "/api/health",
      });
    let a: RunningServer | null = null;
    let b: RunningServer | null = null;
    let client: ResumingStream | null = null;
    let stopPublishing = false;
    try {
      a = await start();
      b = await start();
      for (const server of [a, b]) {
        const health = await (await fetch(`${server.url}/api/health`)).json();
        assert.equal(health.broker, "kv");
        assert.equal(health.healthy, true);
        // The page renders from the built _fresh/ (no bundling, no write).
        const page = await fetch(`${server.url}/`);
        assert.equal(page.status, 200);
        const bundle = (await page.text()).match(/\/_frsh\/js\/[^"]+\.js/);
        assert.ok(bundle, "the page loads island bundles");
        const js = await fetch(`${server.url}${bundle[0]}`);
        assert.equal(js.status, 200);
        await js.body?.cancel();
      }

      const channel = `deploy-${crypto.randomUUID().slice(0, 8)}`;
      // The client reads through A until A stops, then through B.
      let target = a;
      client = new ResumingStream(() =>
        `${target.url}/api/channels/${channel}/events`
      );
      await waitFor(() => client!.connections === 1, "the stream on A");

      const published: string[] = [];
      const publish = async (server: RunningServer, n: number) => {
        const res = await fetch(
          `${server.url}/api/channels/${channel}/messages`,
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ data: { n } }),
          },
        );
        assert.equal(res.status, 201, await res.text());
        published.push(JSON.stringify({ n }));
      };
      // Publishes through both instances; the stream on A sees B's via the KV poll.
      for (let n = 0; n < 20; n++) {
        await publish(n % 2 ? b : a, n);
        await sleep(20);
      }
      await waitFor(() => client!.data.length === 20, "20 events through A");

      // Deploy's stop: SIGINT, then SIGKILL 5 s later.
      const stopping = a;
      target = b;
      stopping.process.kill("SIGINT");
      const killer = setTimeout(() => {
        try {
          stopping.process.kill("SIGKILL");
        } catch { /* gone */ }
      }, 5_000);
      const publishing = (async () => {
        for (let n = 20; n < 60 && !stopPublishing; n++) {
          await publish(b!, n);
          await sleep(20);
        }
      })();
      publishing.catch(() => {}); // awaited below; the test may fail first
      const status = await stopping.process.status;
      clearTimeout(killer);
      await stopping.stop();
      a = null;
      assert.equal(
        status.signal,
        null,
        `A did not stop by itself within 5 s of SIGINT:\n${stopping.output()}`,
      );
      assert.equal(status.code, 0, stopping.output());
      await waitFor(
        () => client!.cleanEnds + client!.failures > 0,
        "the stream on A to end",
      );
      assert.equal(
        client.failures,
        0,
        `A broke the stream instead of ending it: ${client.lastError}`,
      );
      assert.equal(client.cleanEnds, 1, "A ended the stream cleanly");

      await publishing;
      await waitFor(() => client!.data.length >= 60, "all 60 events");
      await sleep(300); // a duplicate would arrive now
      assert.deepEqual(client.data, published);
      assert.ok(client.connections >= 2, "the client resumed on B");

      const output = stopping.output() + b.output();
      assert.doesNotMatch(output, /read-only file system|EROFS|NotCapable/i);
    } finally {
      stopPublishing = true;
      await client?.close();
      await a?.stop();
      await b?.stop();
      await Deno.remove(mount).catch(() => {});
      // The platform KV stand-in: the origin storage of this run's main module.
      for (const name of await listDir(storage)) {
        if (!before.has(name)) {
          await Deno.remove(`${storage}/${name}`, { recursive: true })
            .catch(() => {});
        }
      }
    }
  },
});

/**
 * deploy/nginx.conf in front of three Herald processes on one Redis, with
 * TLS (a self-signed certificate made here) and HTTP/2 towards the clients.
 * A restart rolls through all three while 200 clients stream and a publisher
 * sends 50 msg/s: every client ends with every acknowledged message, in
 * order, none twice. Debian's nginx runs as its own master on a temp prefix.
 */
import assert from "node:assert/strict";
import { requireRedis, uniquePrefix } from "../_support/redis.ts";
import { requirement } from "../_support/requirement.ts";
import {
  ensureBuild,
  freePort,
  REPO_ROOT,
  type RunningServer,
  startServer,
  taskPermissions,
} from "../_support/server.ts";
import { sleep, waitFor } from "../_support/wait.ts";
import { ResumingStream } from "./_resume.ts";

const NGINX = Deno.env.get("NGINX_PATH") ?? "/usr/sbin/nginx";
const CLIENTS = 200;
const RATE = 50;
/** The publisher stops this long after the last restart (and after 60 s at most). */
const PUBLISH_AFTER_MS = 2_000;

async function runs(command: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(command, {
      args,
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

async function run(command: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(command, {
    args,
    cwd,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed:\n${
        new TextDecoder().decode(out.stderr)
      }`,
    );
  }
}

/** deploy/nginx.conf with this test's ports and one worker process. */
function testConfig(
  httpsPort: number,
  httpPort: number,
  upstreams: number[],
): string {
  let conf = Deno.readTextFileSync(`${REPO_ROOT}deploy/nginx.conf`);
  const swap = (from: string | RegExp, to: string) => {
    const next = conf.replace(from, to);
    assert.notEqual(next, conf, `deploy/nginx.conf has no ${from}`);
    conf = next;
  };
  swap("worker_processes auto;", "worker_processes 1;");
  swap(/^\s*listen \[::\]:.*$\n/gm, "");
  swap("listen 80;", `listen 127.0.0.1:${httpPort};`);
  swap("listen 443 ssl http2;", `listen 127.0.0.1:${httpsPort} ssl http2;`);
  upstreams.forEach((port, i) =>
    swap(`server 127.0.0.1:800${i + 1} `, `server 127.0.0.1:${port} `)
  );
  return conf;
}

const redisUrl = await requireRedis();
const tools = requirement(
  await runs(NGINX, ["-v"]) && await runs("openssl", ["version"]),
  `nginx (${NGINX}) and openssl`,
  "apt-get install -y nginx openssl",
);

Deno.test({
  name:
    "nginx (TLS, HTTP/2) in front of three processes: a rolling restart under 200 streams and 50 msg/s loses nothing, doubles nothing",
  ignore: !redisUrl || !tools,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    await ensureBuild();
    const prefix = await Deno.makeTempDir({ prefix: "herald-nginx-" });
    for (const dir of ["logs", "temp", "tls"]) {
      await Deno.mkdir(`${prefix}/${dir}`);
    }
    await run("openssl", [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      // Not a CA: rustls (Deno's TLS) refuses a CA certificate as a server's.
      "-addext",
      "basicConstraints=critical,CA:FALSE",
      "-keyout",
      `${prefix}/tls/herald.key`,
      "-out",
      `${prefix}/tls/herald.crt`,
    ]);
    const caCert = await Deno.readTextFile(`${prefix}/tls/herald.crt`);

    const env = {
      REDIS_URL: redisUrl!,
      HERALD_BROKER: "redis",
      HERALD_REDIS_PREFIX: uniquePrefix("nginx"),
      HERALD_SESSION_SECRET: crypto.randomUUID(),
      HERALD_TRUST_PROXY: "1",
      HERALD_FLIGHTS_SIMULATOR: "off",
      // 200 clients and the publisher share one address here.
      HERALD_MAX_STREAMS_PER_IP: "0",
      HERALD_MAX_STREAMS_PER_USER: "0",
      HERALD_PUBLISH_RATE_IP: "0",
      HERALD_PUBLISH_BURST_IP: "0",
      HERALD_PUBLISH_RATE: "0",
      HERALD_PUBLISH_BURST: "0",
    };
    const ports = [freePort(), freePort(), freePort()];
    const startHerald = (port: number) =>
      startServer({
        entry: "main.ts",
        env,
        port,
        permissions: taskPermissions("preview", prefix),
        readyPath: "/api/health",
      });
    const servers: (RunningServer | null)[] = [null, null, null];
    let nginx: Deno.ChildProcess | null = null;
    const clients: ResumingStream[] = [];
    const httpClients: Deno.HttpClient[] = [];
    let publishing = true;
    try {
      for (let i = 0; i < 3; i++) servers[i] = await startHerald(ports[i]);
      const httpsPort = freePort();
      await Deno.writeTextFile(
        `${prefix}/nginx.conf`,
        testConfig(httpsPort, freePort(), ports),
      );
      nginx = new Deno.Command(NGINX, {
        args: [
          "-p",
          `${prefix}/`,
          "-c",
          `${prefix}/nginx.conf`,
          "-g",
          "daemon off;",
        ],
        stdout: "null",
        stderr: "null",
      }).spawn();
      const base = `https://127.0.0.1:${httpsPort}`;
      // Four "browsers", each multiplexing its 50 streams over one HTTP/2 connection.
      for (let i = 0; i < 4; i++) {
        httpClients.push(Deno.createHttpClient({ caCerts: [caCert] }));
      }
      const api = httpClients[0];
      await waitFor(async () => {
        try {
          const res = await fetch(`${base}/api/health`, {
            client: api,
          } as RequestInit);
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        }
      }, "nginx to answer");

      // HTTP/2 is what TLS negotiates with a client that offers it.
      const tls = await Deno.connectTls({
        hostname: "127.0.0.1",
        port: httpsPort,
        caCerts: [caCert],
        alpnProtocols: ["h2", "http/1.1"],
      });
      assert.equal((await tls.handshake()).alpnProtocol, "h2");
      tls.close();

      const channel = `nginx-${crypto.randomUUID().slice(0, 8)}`;
      for (let i = 0; i < CLIENTS; i++) {
        clients.push(
          new ResumingStream(
            () => `${base}/api/channels/${channel}/events`,
            { init: { client: httpClients[i % 4] } as RequestInit },
          ),
        );
      }
      await waitFor(
        () => clients.every((c) => c.connections === 1),
        `${CLIENTS} streams to open`,
      );

      // The publisher: 50 msg/s; only acknowledged (201) messages count.
      const acked: string[] = [];
      let refused = 0;
      const publisher = (async () => {
        const until = Date.now() + 60_000;
        for (let n = 0; publishing && Date.now() < until; n++) {
          const started = Date.now();
          const data = JSON.stringify({ n });
          try {
            const res = await fetch(
              `${base}/api/channels/${channel}/messages`,
              {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({ data: { n } }),
                client: api,
              } as RequestInit,
            );
            await res.body?.cancel();
            if (res.status === 201) acked.push(data);
            else refused++;
          } catch {
            refused++;
          }
          await sleep(Math.max(0, 1000 / RATE - (Date.now() - started)));
        }
      })();

      // The rolling restart: each process stops (SIGTERM: its streams end
      // cleanly) and comes back on its port before the next one goes.
      await sleep(2_000);
      for (let i = 0; i < 3; i++) {
        await servers[i]!.stop();
        servers[i] = null;
        servers[i] = await startHerald(ports[i]);
        await sleep(1_000);
      }
      await sleep(PUBLISH_AFTER_MS);
      publishing = false;
      await publisher;
      assert.ok(acked.length > 0, "nothing was acknowledged");

      const ackedSet = new Set(acked);
      await waitFor(
        () =>
          clients.every((c) =>
            c.data.filter((d) => ackedSet.has(d)).length >= acked.length
          ),
        "every client to have every acknowledged message",
        30_000,
      );
      await sleep(500); // a duplicate would arrive now
      let resumed = 0;
      for (const [i, client] of clients.entries()) {
        assert.equal(
          new Set(client.data).size,
          client.data.length,
          `client ${i} saw a message twice`,
        );
        assert.deepEqual(
          client.data.filter((d) => ackedSet.has(d)),
          acked,
          `client ${i}: acknowledged messages missing or out of order`,
        );
        if (client.connections > 1) resumed++;
      }
      // Each restart ended the streams it held; those clients resumed elsewhere.
      assert.ok(resumed > 0, "no client had to resume: nothing was restarted");
      console.log(
        `nginx rolling restart: ${acked.length} acknowledged, ${refused} refused, ${resumed}/${CLIENTS} clients resumed`,
      );
    } finally {
      publishing = false;
      await Promise.all(clients.map((c) => c.close()));
      for (const client of httpClients) client.close();
      if (nginx) {
        try {
          nginx.kill("SIGQUIT");
        } catch { /* gone */ }
        await nginx.status;
        const log = await Deno.readTextFile(`${prefix}/logs/error.log`)
          .catch(() => "");
        if (/\[(emerg|alert|crit)\]/.test(log)) console.error(log);
      }
      for (const server of servers) await server?.stop();
      await Deno.remove(prefix, { recursive: true }).catch(() => {});
    }
  },
});

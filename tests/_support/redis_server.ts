/**
 * A private redis-server for tests that stop and restart Redis: a free port,
 * a temp dir, append-only persistence (so history survives a restart), no
 * RDB snapshots. Stop and start it again on the same port and data.
 *
 * @example
 * ```ts
 * if (requireRedisServer()) {
 *   await using redis = await startRedisServer();
 *   // … use redis.url
 *   await redis.stop();
 *   await redis.start(); // same port, same data
 * }
 * ```
 * @module
 */
import { redisAnswers } from "./redis.ts";
import { requirement } from "./requirement.ts";
import { freePort } from "./server.ts";

export const REDIS_SERVER_PATH = Deno.env.get("REDIS_SERVER_PATH") ??
  "/usr/bin/redis-server";

/** True when a redis-server binary is there (skips visibly, or throws under CI, when not). */
export function requireRedisServer(): boolean {
  let found = false;
  try {
    found = Deno.statSync(REDIS_SERVER_PATH).isFile;
  } catch { /* missing */ }
  return requirement(
    found,
    `redis-server at ${REDIS_SERVER_PATH}`,
    "apt-get install redis-server",
  );
}

/** True when openssl is there (to make a test CA); skips visibly, or throws under CI, when not. */
export function requireOpenssl(): boolean {
  let found = false;
  try {
    found = Deno.statSync(OPENSSL_PATH).isFile;
  } catch { /* missing */ }
  return requirement(
    found,
    `openssl at ${OPENSSL_PATH}`,
    "apt-get install openssl",
  );
}

export const OPENSSL_PATH = Deno.env.get("OPENSSL_PATH") ?? "/usr/bin/openssl";

export interface RedisServerOptions {
  /**
   * Serve TLS only (`--port 0 --tls-port P`), with a server certificate for
   * 127.0.0.1 signed by a CA made for this server (see {@link RedisServer.caFile}).
   */
  tls?: boolean;
  /** Extra redis-server arguments. */
  args?: string[];
  /** Keep an append-only file, so data survives a restart (default true). */
  appendonly?: boolean;
}

export interface RedisServer extends AsyncDisposable {
  /** `redis://127.0.0.1:P`, or `rediss://127.0.0.1:P` with `tls`. */
  readonly url: string;
  /** With `tls`: the PEM file of the CA that signed the server's certificate. */
  readonly caFile?: string;
  readonly port: number;
  readonly dir: string;
  /** Whether the server process runs now. */
  readonly running: boolean;
  /** Starts it (again) on the same port and data dir; resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGTERM (Redis flushes the append-only file), then waits for the exit. */
  stop(): Promise<void>;
  /** SIGSTOP: Redis stalls with its connections open (a hung server, not a lost one). */
  pause(): void;
  /** SIGCONT: Redis runs again and answers what waited on its sockets. */
  resume(): void;
  /** Stops it and removes its data dir. */
  dispose(): Promise<void>;
  /** SIGKILL now, synchronously (for an `unload` handler). */
  kill(): void;
}

export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServer> {
  const port = freePort();
  const dir = await Deno.makeTempDir({ prefix: "herald-redis-" });
  const url = `${options.tls ? "rediss" : "redis"}://127.0.0.1:${port}`;
  const tls = options.tls ? await makeTestCertificates(dir) : null;
  const listen = tls
    ? [
      "--port",
      "0",
      "--tls-port",
      String(port),
      "--tls-cert-file",
      tls.certFile,
      "--tls-key-file",
      tls.keyFile,
      "--tls-ca-cert-file",
      tls.caFile,
      "--tls-auth-clients",
      "no",
    ]
    : ["--port", String(port)];
  const answers = () => tls ? tlsPing(port, tls.caFile) : redisAnswers(url);
  let child: Deno.ChildProcess | null = null;
  let paused = false;

  const start = async () => {
    if (child) return;
    child = new Deno.Command(REDIS_SERVER_PATH, {
      args: [
        ...listen,
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        options.appendonly === false ? "no" : "yes",
        "--dir",
        dir,
        "--logfile",
        "",
        "--loglevel",
        "warning",
        ...(options.args ?? []),
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    const deadline = Date.now() + 15_000;
    while (!(await answers())) {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`redis-server did not answer on ${url}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const running = child;
    if (!running) return;
    child = null;
    try {
      // A stopped process only acts on SIGTERM once continued.
      if (paused) running.kill("SIGCONT");
      paused = false;
      running.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        running.kill("SIGKILL");
      } catch { /* already gone */ }
    }, 10_000);
    await running.status;
    clearTimeout(timer);
  };

  const dispose = async () => {
    await stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };

  const signal = (sig: "SIGSTOP" | "SIGCONT") => {
    if (!child) throw new Error("redis-server is not running");
    child.kill(sig);
    paused = sig === "SIGSTOP";
  };

  await start();
  return {
    url,
    caFile: tls?.caFile,
    port,
    dir,
    get running() {
      return child !== null;
    },
    start,
    stop,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
    dispose,
    kill: () => {
      try {
        child?.kill("SIGKILL");
      } catch { /* already gone */ }
    },
    [Symbol.asyncDispose]: dispose,
  };
}

/** A CA and a server certificate for 127.0.0.1 signed by it, made with openssl in `dir`. */
export async function makeTestCertificates(
  dir: string,
  name = "redis",
): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const at = (file: string) => `${dir}/${name}-${file}`;
  const openssl = async (...args: string[]) => {
    const out = await new Deno.Command(OPENSSL_PATH, {
      args,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `openssl ${args[0]} failed: ${new TextDecoder().decode(out.stderr)}`,
      );
    }
  };
  // deno-fmt-ignore
  await openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
    "-subj", `/CN=Herald test CA ${name}`, "-keyout", at("ca.key"), "-out", at("ca.crt"));
  // deno-fmt-ignore
  await openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
    "-keyout", at("server.key"), "-out", at("server.csr"));
  await Deno.writeTextFile(
    at("ext.cnf"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\n",
  );
  // deno-fmt-ignore
  await openssl("x509", "-req", "-in", at("server.csr"), "-CA", at("ca.crt"),
    "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "2",
    "-extfile", at("ext.cnf"), "-out", at("server.crt"));
  return {
    caFile: at("ca.crt"),
    certFile: at("server.crt"),
    keyFile: at("server.key"),
  };
}

/** PING over TLS, trusting `caFile`; true on PONG. */
async function tlsPing(port: number, caFile: string): Promise<boolean> {
  try {
    const conn = await Deno.connectTls({
      hostname: "127.0.0.1",
      port,
      caCerts: [await Deno.readTextFile(caFile)],
    });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buf = new Uint8Array(64);
      const timer = setTimeout(() => conn.close(), 2000);
      const n = await conn.read(buf).catch(() => null);
      clearTimeout(timer);
      return new TextDecoder().decode(buf.subarray(0, n ?? 0)).startsWith(
        "+PONG",
      );
    } finally {
      try {
        conn.close();
      } catch { /* closed by the timer */ }
    }
  } catch {
    return false;
  }
}

export const REDIS_CLI_PATH = Deno.env.get("REDIS_CLI_PATH") ??
  "/usr/bin/redis-cli";

export interface RedisCluster extends AsyncDisposable {
  /** `redis://127.0.0.1:P` of the first master: a seed for the cluster client. */
  readonly url: string;
  /** `127.0.0.1:P` of every master. */
  readonly nodes: string[];
  /** Stops every node and removes their data. */
  dispose(): Promise<void>;
  /** SIGKILLs every node now, synchronously (for an `unload` handler). */
  kill(): void;
}

/** True when redis-server and redis-cli are there (skips visibly, or throws under CI, when not). */
export function requireRedisCluster(): boolean {
  let found = false;
  try {
    found = Deno.statSync(REDIS_SERVER_PATH).isFile &&
      Deno.statSync(REDIS_CLI_PATH).isFile;
  } catch { /* missing */ }
  return requirement(
    found,
    `redis-server and redis-cli (${REDIS_SERVER_PATH}, ${REDIS_CLI_PATH})`,
    "apt-get install redis-server redis-tools",
  );
}

/**
 * A local Redis Cluster of `masters` masters and no replicas on free ports
 * (`--cluster-enabled yes`, then `redis-cli --cluster create`); resolves once
 * every slot is served.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  const dispose = async () => {
    await Promise.all(servers.map((s) => s.dispose()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      servers.push(
        await startRedisServer({
          appendonly: false,
          args: [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            "nodes.conf",
            "--cluster-node-timeout",
            "5000",
          ],
        }),
      );
    }
    const nodes = servers.map((s) => `127.0.0.1:${s.port}`);
    const out = await new Deno.Command(REDIS_CLI_PATH, {
      args: [
        "--cluster",
        "create",
        ...nodes,
        "--cluster-replicas",
        "0",
        "--cluster-yes",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      throw new Error(
        `redis-cli --cluster create failed: ${
          new TextDecoder().decode(out.stdout)
        }${new TextDecoder().decode(out.stderr)}`,
      );
    }
    // Every node must agree that all slots are served before a client connects.
    const deadline = Date.now() + 20_000;
    for (const server of servers) {
      while (true) {
        const info = await new Deno.Command(REDIS_CLI_PATH, {
          args: ["-p", String(server.port), "cluster", "info"],
          stdout: "piped",
          stderr: "null",
        }).output();
        const text = new TextDecoder().decode(info.stdout);
        if (
          text.includes("cluster_state:ok") &&
          text.includes("cluster_slots_ok:16384")
        ) break;
        if (Date.now() > deadline) {
          throw new Error(`the cluster did not become ok:\n${text}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return {
      url: servers[0].url,
      nodes,
      dispose,
      kill: () => servers.forEach((s) => s.kill()),
      [Symbol.asyncDispose]: dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}

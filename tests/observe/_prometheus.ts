/**
 * Prometheus's tools for the observability tests: `promtool check metrics`
 * on a text, and a real Prometheus server on a free local port, scraping
 * Herald with the admin's bearer token, in a temp dir of its own.
 *
 * @module
 */
import { requirement } from "../_support/requirement.ts";
import { freePort } from "../_support/server.ts";
import { waitFor } from "../_support/wait.ts";

const PROMTOOL = "/usr/bin/promtool";
const PROMETHEUS = "/usr/bin/prometheus";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** True when promtool and prometheus are installed (else skip, or fail under CI). */
export function requirePrometheus(): boolean {
  return requirement(
    exists(PROMTOOL) && exists(PROMETHEUS),
    "Prometheus (promtool, prometheus)",
    "apt-get install -y prometheus",
  );
}

/** `promtool check metrics` on `text`: its exit status and output. */
export async function promtoolCheck(
  text: string,
): Promise<{ ok: boolean; output: string }> {
  const child = new Deno.Command(PROMTOOL, {
    args: ["check", "metrics"],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(text));
  await writer.close();
  const out = await child.output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { ok: out.success, output: decode(out.stdout) + decode(out.stderr) };
}

export interface RunningPrometheus extends AsyncDisposable {
  url: string;
  /** An instant query's result vector. */
  query(
    expr: string,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
}

/** Starts Prometheus scraping `target` (host:port) every second with `token`. */
export async function startPrometheus(
  target: string,
  token: string,
): Promise<RunningPrometheus> {
  const dir = await Deno.makeTempDir({ prefix: "herald-prom-" });
  await Deno.writeTextFile(`${dir}/token`, token);
  await Deno.writeTextFile(
    `${dir}/prometheus.yml`,
    [
      "global:",
      "  scrape_interval: 1s",
      "  evaluation_interval: 1s",
      "scrape_configs:",
      "  - job_name: herald",
      "    metrics_path: /metrics",
      "    authorization:",
      `      credentials_file: ${dir}/token`,
      "    static_configs:",
      `      - targets: ["${target}"]`,
      "",
    ].join("\n"),
  );
  const port = freePort();
  const child = new Deno.Command(PROMETHEUS, {
    args: [
      `--config.file=${dir}/prometheus.yml`,
      `--storage.tsdb.path=${dir}/data`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let log = "";
  const drained = (async () => {
    for await (const chunk of child.stderr) {
      log += new TextDecoder().decode(chunk);
    }
  })();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await drained;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitFor(async () => {
      try {
        const res = await fetch(`${url}/-/ready`);
        await res.body?.cancel();
        return res.ok;
      } catch {
        return false;
      }
    }, "prometheus to be ready");
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${log}`);
  }
  return {
    url,
    async query(expr) {
      const res = await fetch(
        `${url}/api/v1/query?query=${encodeURIComponent(expr)}`,
      );
      const body = await res.json();
      if (body.status !== "success") {
        throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
      }
      return body.data.result;
    },
    [Symbol.asyncDispose]: stop,
  };
}

/**
 * A child process spoken to in lines: one line to its stdin, one reply line
 * from its stdout. The subscriber clients and the memory probes both run this
 * way; stderr is kept for error messages.
 *
 * @example
 * ```ts
 * const child = new LineProcess(Deno.execPath(), ["run", "-A", "bench/subscriber_client.ts"]);
 * const ready = await child.next(60_000);
 * const reply = await child.send('{"cmd":"status"}');
 * await child.stop('{"cmd":"close"}');
 * ```
 * @module
 */

export class LineProcess {
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #stderr = "";
  #stderrDone: Promise<void>;

  constructor(command: string, args: string[]) {
    const child = new Deno.Command(command, {
      args,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#child = child;
    this.#writer = child.stdin.getWriter();
    this.#lines = child.stdout
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(splitLines())[Symbol.asyncIterator]();
    this.#stderrDone = (async () => {
      for await (
        const text of child.stderr.pipeThrough(new TextDecoderStream())
      ) this.#stderr += text;
    })();
  }

  get pid(): number {
    return this.#child.pid;
  }

  /** The next stdout line; throws when the process ends or stays silent. */
  async next(timeoutMs: number): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`child silent for ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const line = await Promise.race([this.#lines.next(), timeout]);
      if (line.done) {
        await this.#child.status;
        await this.#stderrDone;
        throw new Error(`child exited early: ${this.#stderr.slice(-2000)}`);
      }
      return line.value;
    } finally {
      clearTimeout(timer);
    }
  }

  async send(line: string, timeoutMs = 30_000): Promise<string> {
    await this.#writer.write(new TextEncoder().encode(line + "\n"));
    return await this.next(timeoutMs);
  }

  /** Sends `goodbye` (if any), closes stdin, and kills the child if it has not exited within 5 s. */
  async stop(goodbye?: string): Promise<void> {
    if (goodbye !== undefined) {
      await this.send(goodbye, 10_000).catch(() => {});
    }
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch { /* gone */ }
    }, 5_000);
    await this.#writer.close().catch(() => {});
    // Drain stdout so the pipe closes.
    while (!(await this.#lines.next().catch(() => ({ done: true }))).done) {
      // discard
    }
    await this.#child.status;
    clearTimeout(timer);
    await this.#stderrDone;
  }
}

function splitLines(): TransformStream<string, string> {
  let pending = "";
  return new TransformStream({
    transform(text, controller) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (line.trim()) controller.enqueue(line);
    },
    flush(controller) {
      if (pending.trim()) controller.enqueue(pending);
    },
  });
}

/**
 * Compiles Tailwind CSS 4 for a project (`@tailwindcss/node`, candidates from
 * `@tailwindcss/oxide`), cached until a source or the input changes.
 *
 * @module
 */
import { compile, optimize } from "@tailwindcss/node";
import { Scanner } from "@tailwindcss/oxide";
import { dirname } from "node:path";
import { listFiles } from "./walk.ts";

export interface TailwindCompilerOptions {
  /** Absolute path of the input CSS. */
  input: string;
  /** Absolute folders whose files are scanned for class names. */
  sources: string[];
  minify: boolean;
}

export class TailwindCompiler {
  #cache: { key: string; css: string } | null = null;
  #pending: Promise<{ key: string; css: string }> | null = null;

  constructor(readonly options: TailwindCompilerOptions) {}

  /** The compiled CSS, rebuilt only when the inputs changed. */
  async css(): Promise<string> {
    const key = await this.#fingerprint();
    if (this.#cache?.key === key) return this.#cache.css;
    // One compile at a time: concurrent requests share it.
    this.#pending ??= this.#compile(key).finally(() => this.#pending = null);
    this.#cache = await this.#pending;
    return this.#cache.css;
  }

  async #fingerprint(): Promise<string> {
    const paths = [this.options.input];
    for (const dir of this.options.sources) {
      paths.push(...(await listFiles(dir)).map((f) => f.path));
    }
    const parts = await Promise.all(
      paths.sort().map(async (path) => {
        const info = await Deno.stat(path).catch(() => null);
        return `${path}:${info?.size}:${info?.mtime?.getTime()}`;
      }),
    );
    return parts.join("\n");
  }

  async #compile(key: string): Promise<{ key: string; css: string }> {
    const { input, sources, minify } = this.options;
    const compiler = await compile(await Deno.readTextFile(input), {
      base: dirname(input),
      from: input,
      onDependency: () => {},
    });
    const scanner = new Scanner({
      sources: [
        ...sources.map((base) => ({ base, pattern: "**/*", negated: false })),
        // `@source` lines in the input CSS.
        ...compiler.sources,
      ],
    });
    const built = compiler.build(scanner.scan());
    const css = minify
      ? optimize(built, { file: input, minify: true }).code
      : built;
    return { key, css };
  }
}

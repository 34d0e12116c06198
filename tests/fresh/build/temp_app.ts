/**
 * Throwaway Fresh apps for the build and browser tests. They live under
 * `tests/.tmp/` (git-ignored) so the repository's deno.json import map and
 * node_modules apply, and are removed when disposed.
 *
 * @example
 * ```ts
 * await using app = await tempApp({ "islands/A.tsx": "export default () => <p/>;" });
 * await using copy = await copyFixture(); // tests/fixtures/fresh_app
 * ```
 * @module
 */
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../_support/server.ts";

export const FIXTURE_APP = join(REPO_ROOT, "tests/fixtures/fresh_app");

/**
 * A page that uses Tailwind classes and links the stylesheet, added to
 * fixture copies (the fixture's own pages do not use Tailwind).
 */
export const STYLED_ROUTE = {
  path: "routes/styled.tsx",
  text: `import { asset, Head } from "$fresh/runtime.ts";

export default function Styled() {
  return (
    <main>
      <Head>
        <link rel="stylesheet" href={asset("/styles.css")} />
      </Head>
      <p id="styled" class="p-4 text-red-600">styled</p>
    </main>
  );
}
`,
};

export interface TempApp extends AsyncDisposable {
  /** Absolute path of the app folder. */
  root: string;
  write(path: string, text: string): Promise<void>;
  read(path: string): Promise<string>;
}

async function makeTempDir(prefix: string): Promise<string> {
  const parent = join(REPO_ROOT, "tests/.tmp");
  await Deno.mkdir(parent, { recursive: true });
  return await Deno.makeTempDir({ dir: parent, prefix });
}

function handle(root: string): TempApp {
  return {
    root,
    write: async (path, text) => {
      await Deno.mkdir(dirname(join(root, path)), { recursive: true });
      await Deno.writeTextFile(join(root, path), text);
    },
    read: (path) => Deno.readTextFile(join(root, path)),
    [Symbol.asyncDispose]: () => Deno.remove(root, { recursive: true }),
  };
}

/** A new app made of `files` (path relative to the app → text). */
export async function tempApp(files: Record<string, string>): Promise<TempApp> {
  const app = handle(await makeTempDir("app-"));
  for (const [path, text] of Object.entries(files)) {
    await app.write(path, text);
  }
  return app;
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const entry of Deno.readDir(from)) {
    if (entry.name === "_fresh") continue; // a build of the fixture itself
    const source = join(from, entry.name);
    if (entry.isDirectory) await copyDir(source, join(to, entry.name));
    else if (entry.isFile) await Deno.copyFile(source, join(to, entry.name));
  }
}

/** A copy of the fixture app (tests/fixtures/fresh_app) plus {@link STYLED_ROUTE}. */
export async function copyFixture(): Promise<TempApp> {
  const root = await makeTempDir("fixture-");
  await copyDir(FIXTURE_APP, root);
  const app = handle(root);
  await app.write(STYLED_ROUTE.path, STYLED_ROUTE.text);
  return app;
}

/** Runs `deno run -A {script} {args}` in `cwd`; returns the exit code and output. */
export async function runDeno(
  cwd: string,
  script: string,
  args: string[] = [],
): Promise<{ code: number; output: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    cwd,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return { code, output: decoder.decode(stdout) + decoder.decode(stderr) };
}

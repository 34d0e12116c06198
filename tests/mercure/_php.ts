/**
 * A real third-party Mercure publisher: Symfony's Mercure component
 * (Debian's php-symfony-mercure) run with `php` on
 * tests/fixtures/mercure/publish.php. Without php and the component the
 * tests skip visibly (fail under `CI=true`).
 *
 * @module
 */
import { requirement } from "../_support/requirement.ts";

const SCRIPT = new URL("../fixtures/mercure/publish.php", import.meta.url)
  .pathname;
const COMPONENT = "/usr/share/php/Symfony/Component/Mercure/Hub.php";

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether php and the Symfony Mercure component are installed (see the module doc). */
export function requireSymfonyMercure(): boolean {
  return requirement(
    exists("/usr/bin/php") && exists(COMPONENT),
    "php with Symfony's Mercure component",
    "apt-get install php-cli php-symfony-mercure",
  );
}

export interface PhpUpdate {
  topics: string | string[];
  data?: string;
  private?: boolean;
  id?: string;
  type?: string;
  retry?: number;
}

/** Publishes `updates` through Symfony's `Hub`; one line per update: the id, or `error: …`. */
export async function symfonyPublish(
  hubUrl: string,
  token: string,
  updates: PhpUpdate[],
): Promise<string[]> {
  const out = await new Deno.Command("/usr/bin/php", {
    args: [SCRIPT, hubUrl, token, JSON.stringify(updates)],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(
      `php failed: ${text}${new TextDecoder().decode(out.stderr)}`,
    );
  }
  return text.trimEnd().split("\n");
}

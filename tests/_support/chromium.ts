/**
 * Launches Debian's Chromium through playwright-core (never a downloaded
 * browser). Tests use it through `browserTest` (browser.ts).
 *
 * @module
 */
import { type Browser, chromium } from "playwright-core";
import { requirement } from "./requirement.ts";

export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ??
  "/usr/bin/chromium";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

function exists(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

/** True when Chromium is installed; otherwise a visible skip (a failure under CI). */
export function requireChromium(): boolean {
  return requirement(
    exists(CHROMIUM_PATH),
    `Chromium at ${CHROMIUM_PATH}`,
    "apt-get install -y chromium, or set CHROMIUM_PATH",
  );
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

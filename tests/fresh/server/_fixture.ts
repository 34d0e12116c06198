/**
 * The fixture app (tests/fixtures/fresh_app) behind `createHandler`, with
 * its real build snapshot, and small request helpers.
 *
 * @module
 */
import { createHandler, type ServeHandler } from "$fresh/server.ts";
import manifest from "../../fixtures/fresh_app/fresh.gen.ts";
import { jsonErrors } from "../../../lib/http/error.ts";

/** The fixture app answers errors in Herald's JSON, through the `onError` hook. */
const config = { onError: jsonErrors };

export { manifest };

let handler: Promise<ServeHandler> | undefined;

/** One handler for the fixture app, made on first use. */
export function fixture(): Promise<ServeHandler> {
  return handler ??= createHandler(manifest, config, { dev: false });
}

/** Sends `path` to the fixture app; returns the response and its text. */
export async function request(
  path: string,
  init?: RequestInit,
  connInfo?: Deno.ServeHandlerInfo,
): Promise<{ res: Response; text: string }> {
  const app = await fixture();
  const res = await app(new Request(`http://localhost${path}`, init), connInfo);
  return { res, text: await res.text() };
}

/** Captures console.error while `fn` runs. */
export async function capturingErrors<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; logged: string[] }> {
  const logged: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => {
    logged.push(
      args.map((a) => a instanceof Error ? a.message : String(a)).join(" "),
    );
  };
  try {
    return { result: await fn(), logged };
  } finally {
    console.error = original;
  }
}

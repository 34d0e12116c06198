/**
 * The route table's own pathname matching agrees with URLPattern, for the
 * plain patterns it answers itself and for those it hands to URLPattern.
 */
import assert from "node:assert/strict";
import {
  pathMatcher,
  scopeTest,
} from "../../../lib/fresh/src/server/path_match.ts";
import { routePattern } from "../../../lib/fresh/src/server/route_path.ts";

const ROUTE_FILES = [
  "index",
  "about",
  "api/channels/[channel]/events",
  "api/channels/[channel]/messages",
  "api/channels/index",
  "api/[...path]",
  "chat/[room]",
  "chat/[[room]]",
  "blog/post-[id]",
  "admin/(group)/stats",
  "a.b/c~d_e-f",
];

const PATHS = [
  "/",
  "//",
  "/about",
  "/about/",
  "/About",
  "/api",
  "/api/",
  "/api/channels",
  "/api/channels/",
  "/api/channels/news/events",
  "/api/channels/news/events/",
  "/api/channels//events",
  "/api/channels/a%20b/messages",
  "/api/channels/news/messages/x",
  "/api/x/y/z",
  "/chat",
  "/chat/",
  "/chat/lobby",
  "/chat/lobby/",
  "/blog/post-12",
  "/admin/stats",
  "/a.b/c~d_e-f",
  "/apix",
];

function urlPatternGroups(
  pattern: URLPattern,
  pathname: string,
): Record<string, string> | null {
  const match = pattern.exec({ pathname });
  if (!match) return null;
  return Object.fromEntries(
    Object.entries(match.pathname.groups).filter(([name, value]) =>
      value !== undefined && !/^\d+$/.test(name)
    ),
  ) as Record<string, string>;
}

Deno.test("route patterns match every path as URLPattern does", () => {
  for (const file of ROUTE_FILES) {
    const pattern = new URLPattern({ pathname: routePattern(file) });
    const match = pathMatcher(pattern);
    for (const path of PATHS) {
      assert.deepEqual(
        match(path),
        urlPatternGroups(pattern, path),
        `${pattern.pathname} on ${path}`,
      );
    }
  }
});

Deno.test("middleware scopes cover the same paths as URLPattern", () => {
  for (const base of ["", "/api", "/api/channels", "/chat/:room"]) {
    const pattern = new URLPattern({ pathname: `${base}{/*}?` });
    const test = scopeTest(pattern);
    for (const path of PATHS) {
      assert.equal(
        test(path),
        pattern.test({ pathname: path }),
        `${pattern.pathname} on ${path}`,
      );
    }
  }
});

Deno.test("a plain pattern is answered without URLPattern", () => {
  const pattern = new URLPattern({ pathname: "/api/channels/:channel" });
  let calls = 0;
  const exec = pattern.exec.bind(pattern);
  pattern.exec = (...args: Parameters<URLPattern["exec"]>) => {
    calls++;
    return exec(...args);
  };
  assert.deepEqual(pathMatcher(pattern)("/api/channels/news"), {
    channel: "news",
  });
  assert.equal(calls, 0);
});

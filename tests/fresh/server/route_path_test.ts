/** Route file names → URL patterns and their precedence. @module */
import assert from "node:assert/strict";
import {
  comparePatterns,
  routePattern,
} from "../../../lib/fresh/src/server/route_path.ts";

Deno.test("routePattern: Fresh file names", () => {
  const cases: [string, string][] = [
    ["index", "/"],
    ["about", "/about"],
    ["blog/index", "/blog"],
    ["blog/[slug]", "/blog/:slug"],
    ["blog/[slug]/comments", "/blog/:slug/comments"],
    ["api/[...path]", "/api/:path*"],
    ["[...rest]", "/:rest*"],
    ["docs/[[page]]", "/docs{/:page}?"],
    ["(group)/pricing", "/pricing"],
    ["(a)/(b)/index", "/"],
    ["files/v[major].[minor]", "/files/v:major.:minor"],
    ["odd/a+b(c)", "/odd/a\\+b\\(c\\)"],
  ];
  for (const [file, pattern] of cases) {
    assert.equal(routePattern(file), pattern, file);
  }
  assert.ok(new URLPattern({ pathname: routePattern("odd/a+b(c)") }).test({
    pathname: "/odd/a+b(c)",
  }));
});

Deno.test("comparePatterns: of two patterns matching one path, the more specific sorts first", () => {
  const pairs: [string, string][] = [
    ["/blog/new", "/blog/:slug"], // static beats param
    ["/blog/v:n", "/blog/:slug"], // text with a param beats a bare param
    ["/blog/:slug", "/blog/:rest*"], // param beats rest
    ["/blog/new", "/blog/:rest*"],
    ["/blog", "/blog/:rest*"], // ends first: "/blog" matches without a rest
    ["/", "/:all*"],
    ["/docs{/:page}?", "/docs/:page/:sub*"],
    ["/docs", "/docs{/:page}?"],
    ["/api/:id/raw", "/api/:rest*"],
  ];
  for (const [specific, general] of pairs) {
    assert.ok(
      comparePatterns(specific, general) < 0,
      `${specific} before ${general}`,
    );
    assert.ok(
      comparePatterns(general, specific) > 0,
      `${general} after ${specific}`,
    );
  }
  assert.equal(comparePatterns("/a/:x", "/b/:y"), 0);
});

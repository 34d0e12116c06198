import assert from "node:assert/strict";
import {
  envFlag,
  envInt,
  envList,
  envNumber,
  envValue,
} from "../../lib/config/env.ts";

Deno.test("unset and blank variables give the fallback", () => {
  const env = { BLANK: "  " };
  assert.deepEqual(envList(env, "BLANK", ["x"]), [], "a set list may be empty");
  assert.equal(envValue(env, "BLANK"), undefined);
  assert.equal(envInt(env, "NOPE", 7), 7);
  assert.equal(envInt(env, "BLANK", undefined), undefined);
  assert.equal(envNumber(env, "NOPE", 2.5), 2.5);
  assert.deepEqual(envList(env, "NOPE", ["x"]), ["x"]);
  assert.equal(envFlag(env, "NOPE", true), true);
});

Deno.test("values are read from Deno.env-like sources and plain records", () => {
  const env = new Map([["PORTISH", " 8080 "]]);
  assert.equal(envInt(env, "PORTISH", 1), 8080);
  assert.equal(envInt({ PORTISH: "9" }, "PORTISH", 1), 9);
});

Deno.test("a bad value fails naming the variable and the value", () => {
  assert.throws(
    () => envInt({ HERALD_X: "fast" }, "HERALD_X", 1),
    /HERALD_X must be a whole number ≥ 1, got "fast"/,
  );
  assert.throws(() => envInt({ N: "1.5" }, "N", 1), /whole number/);
  assert.throws(() => envInt({ N: "5" }, "N", 1, { min: 10 }), /≥ 10/);
  assert.equal(envInt({ N: "0" }, "N", 1, { min: 0 }), 0);
  assert.throws(() => envNumber({ R: "-1" }, "R", 1), /R must be a number ≥ 0/);
  assert.equal(envNumber({ R: "0.5" }, "R", 1), 0.5);
  assert.throws(
    () => envFlag({ F: "maybe" }, "F", false),
    /F must be on or off/,
  );
});

Deno.test("lists split on commas and drop blanks; flags take on/off words", () => {
  assert.deepEqual(envList({ L: "a.com, b.com,,  " }, "L", []), [
    "a.com",
    "b.com",
  ]);
  assert.deepEqual(envList({ L: "" }, "L", ["*"]), [], "blank switches it off");
  assert.equal(envFlag({ F: "OFF" }, "F", true), false);
  assert.equal(envFlag({ F: "yes" }, "F", false), true);
});

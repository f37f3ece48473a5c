// paths.ts: the one confinement rule, and how a confined file is named.
import assert from "node:assert/strict";
import { test } from "node:test";
import { displayPath, isInside } from "../src/restore/paths.ts";

test("inside: the folder itself and what lies below it, a name that starts with .. included", () => {
  assert.ok(isInside("/d", "/d"));
  assert.ok(isInside("/d", "/d/a/b.sql"));
  assert.ok(isInside("/d", "/d/..x"));
  assert.ok(isInside("/d", "/d/..x/y"));
  assert.ok(!isInside("/d", "/"));
  assert.ok(!isInside("/d", "/d2/a"));
  assert.ok(!isInside("/d", "/e/../f"));
});

test("a file inside is named from the folder, one outside by its whole path", () => {
  assert.equal(displayPath("/d", "/d/sub/a.sql"), "sub/a.sql");
  assert.equal(displayPath("/d", "/d/..x"), "..x");
  assert.equal(displayPath("/d", "/elsewhere/a.sql"), "/elsewhere/a.sql");
  assert.equal(displayPath("/d", "/d"), "/d");
});

// The --exclude glob translator of `seq-guard sql` on its own: examples of each construct, in JavaScript. (The
// property test against minimatch and PostgreSQL's reading of the same expressions are in sql-script.test.ts.)
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../src/core/errors.ts";
import { globToRegex } from "../src/sql-script/glob.ts";

function matches(glob: string, name: string): boolean {
  const re = globToRegex(glob);
  return re !== null && new RegExp(re).test(name);
}

describe("globToRegex", () => {
  test("anchors at both ends and escapes what regular expressions treat specially", () => {
    assert.equal(globToRegex("public.users"), "^(?:public\\.users)$");
    assert.ok(!matches("public.users", "xpublic.users"));
    assert.ok(!matches("public.users", "public.usersx"));
    assert.ok(matches("a$b.(c|d)", "a$b.(c|d)"));
    assert.ok(!matches("a$b.(c|d)", "a$b.c"));
  });

  test("* and ? match within a segment, never across /", () => {
    assert.ok(matches("public.user*", "public.users_id_seq"));
    assert.ok(matches("*.*_seq", "billing.invoice_id_seq"));
    assert.ok(matches("public.t?", "public.t1"));
    assert.ok(!matches("public.t?", "public.t12"));
    assert.ok(!matches("a*", "a/b"));
    assert.ok(!matches("a?b", "a/b"));
  });

  test("classes: ranges, negation, escapes, POSIX classes (for PostgreSQL); a reversed range matches nothing", () => {
    assert.ok(matches("t[0-9].x", "t5.x"));
    assert.ok(!matches("t[0-9].x", "ta.x"));
    assert.ok(matches("t[!0-9].x", "ta.x"));
    assert.ok(!matches("t[!0-9].x", "t5.x"));
    assert.ok(matches("t[^0-9].x", "ta.x"));
    assert.ok(matches("a.[]x]", "a.]"));
    assert.ok(matches("a.[\\-x]", "a.-"));
    // A POSIX class passes through as is, for PostgreSQL (JavaScript does not know them).
    assert.equal(globToRegex("a.[[:digit:]]"), "^(?:a\\.(?:(?!/)[[:digit:]]))$");
    assert.equal(globToRegex("a.[z-a]"), null);
    assert.ok(!matches("a.[!x]", "a./"), "a negated class does not match the separator either");
    assert.ok(matches("a.[x", "a.[x"), "an unclosed [ stands for itself");
  });

  test("braces expand, lists and numeric ranges", () => {
    assert.ok(matches("*.{cyc,by_?en}", "public.cyc"));
    assert.ok(matches("*.{cyc,by_?en}", "public.by_ten"));
    assert.ok(!matches("*.{cyc,by_?en}", "public.by_tens"));
    assert.ok(matches("{1..3}.x", "2.x"));
    assert.ok(!matches("{1..3}.x", "4.x"));
  });

  test("a backslash escapes the next character; a trailing one stands for itself", () => {
    assert.ok(matches("a\\*b.x", "a*b.x"));
    assert.ok(!matches("a\\*b.x", "axb.x"));
    assert.ok(matches("a.b\\", "a.b\\"));
  });

  test("extended globs are refused with a usage error", () => {
    for (const glob of ["public.+(a|b)", "!(a).b", "a.@(x)", "*(a).b", "?(a).b"]) {
      assert.throws(() => globToRegex(glob), UsageError, glob);
    }
  });
});

// plain-session.ts: how a failing statement of a plain script is placed and told.
import assert from "node:assert/strict";
import { test } from "node:test";
import { copyErrorLine, describeError, endSentence, lineOfPosition } from "../src/restore/plain-session.ts";

test("the line an error's position falls on, from the statement's first line", () => {
  const text = "INSERT INTO t\nVALUES (1),\n(oops);";
  assert.equal(lineOfPosition(text, 10, 3), 10);
  assert.equal(lineOfPosition(text, 10, text.indexOf("oops") + 1), 12);
  assert.equal(lineOfPosition(text, 10, Number.NaN), 10, "no position: the first line");
  assert.equal(lineOfPosition(text, 10, -4), 10);
});

test("the data line a COPY error names", () => {
  assert.equal(copyErrorLine({ where: 'COPY t, line 3, column id: "x"' }), 3);
  assert.equal(copyErrorLine({ where: "SQL function f" }), null);
  assert.equal(copyErrorLine(new Error("x")), null);
});

test("a server error on one line, ending as a sentence", () => {
  const e = Object.assign(new Error('relation "x" does not exist'), {
    severity: "ERROR",
    detail: "two\nlines",
    hint: "Create it.",
  });
  assert.equal(describeError(e), 'ERROR: relation "x" does not exist DETAIL: two lines HINT: Create it.');
  assert.equal(endSentence("done"), "done.");
  assert.equal(endSentence("done!"), "done!");
});

// plain/meta.ts: psql meta-commands in a script: \copy read as psql reads it, and the argument of \i.
import assert from "node:assert/strict";
import { test } from "node:test";
import { firstArg, refusal, slashCopy } from "../src/restore/plain/meta.ts";

test("\\copy FROM a file or stdin becomes COPY ... FROM STDIN with its options as written", () => {
  assert.deepEqual(slashCopy("public.t (a, b) FROM 'data file.csv' WITH (FORMAT csv)"), {
    sql: "COPY public.t (a, b) FROM STDIN WITH (FORMAT csv)",
    file: "data file.csv",
  });
  assert.deepEqual(slashCopy('t from "it""s.txt"'), { sql: "COPY t FROM STDIN", file: 'it"s.txt' });
  assert.deepEqual(slashCopy("t FROM stdin"), { sql: "COPY t FROM STDIN", file: null });
  assert.deepEqual(slashCopy("(SELECT 1 FROM x) TO 'out'"), {
    problem: "writes data out (\\copy ... TO), which a restore has no use for",
  });
  assert.ok("problem" in slashCopy("t FROM PROGRAM 'cat /etc/passwd'"));
  assert.ok("problem" in slashCopy("t FROM pstdin"));
  assert.ok("problem" in slashCopy("t FROM ''"));
  assert.ok("problem" in slashCopy("t"));
});

test("the first argument of a meta-command, quoted or not", () => {
  assert.equal(firstArg("  schema.sql more"), "schema.sql");
  assert.equal(firstArg(" 'my file.sql' x"), "my file.sql");
  assert.equal(firstArg('"open'), "open");
  assert.equal(firstArg(""), "");
});

test("a refusal says what the command does and what seq-guard runs instead", () => {
  assert.match(
    refusal("!", "runs a shell command"),
    /^\\! runs a shell command: seq-guard runs plain SQL itself/,
  );
});

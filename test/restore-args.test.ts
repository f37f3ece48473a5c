// args.ts: the restore arguments read as pg_restore reads them, and refused where they would send the restore elsewhere.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../src/core/errors.ts";
import { checkRestoreArgs, fileValues, plainSingleTransaction, type ToolUse } from "../src/restore/args.ts";
import { cli } from "./restore-helpers.ts";

describe("restore arguments", () => {
  const archives = { pg_restore: "a.dump", psql: null };
  const plain = { pg_restore: null, psql: "b.sql" };
  const both = { pg_restore: "a.dump", psql: "b.sql" };
  const refused = (args: string[], use: ToolUse, message: RegExp, via = false) =>
    assert.throws(
      () => checkRestoreArgs(args, use, via),
      (err: unknown) => {
        assert.ok(err instanceof UsageError, String(err));
        assert.equal(err.exitCode, 2);
        assert.match(cli(err.message), message);
        return true;
      },
    );

  test("what sends the restore elsewhere is refused, in every spelling getopt reads", () => {
    refused(
      ["--create"],
      archives,
      /^restore argument --create makes pg_restore create the database named in the archive/,
    );
    refused(["-C"], archives, /^restore argument -C \(--create\) makes pg_restore create/);
    refused(["-Cc"], archives, /^restore argument -Cc \(--create\)/);
    refused(["--crea"], archives, /^restore argument --crea \(--create\)/);
    refused(
      ["-1", "--dbname=x"],
      archives,
      /--dbname=x \(--dbname\) names the database to restore into.*use --restore-database\.$/,
    );
    refused(["-dx"], archives, /^restore argument -dx \(--dbname\)/);
    refused(["-f", "out.sql"], archives, /makes pg_restore write a script instead of restoring/);
    refused(["--list"], archives, /print the archive's table of contents/);
    for (const arg of [
      "-l",
      "-c",
      "--file=other.sql",
      "-o",
      "-v",
      "--echo-all",
      "-X",
      "-d",
      "x",
      "--version",
    ]) {
      refused(
        [arg],
        plain,
        /^restore argument \S+ does not apply: plain SQL \(b\.sql\) is run by seq-guard itself over its own connection, without psql, and takes only -1 \(--single-transaction; -O and -x are what it always does\)\. Remove it\.$/,
      );
    }
    refused(["--host=elsewhere"], archives, /another server/);
    refused(["--version"], archives, /print its version and exit/);
    refused(
      ["users"],
      archives,
      /^restore argument "users" is no option: pg_restore would take it for a second archive/,
    );
  });

  test("what is harmless passes, including options this table does not know and their values", () => {
    checkRestoreArgs(
      ["-1", "--no-comments", "-t", "users", "-tusers", "--table=x", "-L", "l.list", "-c"],
      archives,
      false,
    );
    checkRestoreArgs(["-1", "--single-transaction", "-O", "--no-privileges", "-1x"], plain, false);
    assert.equal(plainSingleTransaction(["-O", "-1"]), true);
    assert.equal(plainSingleTransaction(["--single"]), true);
    assert.equal(plainSingleTransaction(["-O"]), false);
    checkRestoreArgs(["--some-new-option", "value"], archives, false);
    checkRestoreArgs(["-C"], { pg_restore: null, psql: null }, false);
  });

  test("a run with archives and plain SQL refuses what plain SQL does not take", () => {
    refused(
      ["--no-comments"],
      both,
      /^restore argument --no-comments does not apply to plain SQL \(b\.sql\) .*, and this run also restores archives with pg_restore \(a\.dump\).*separate runs/,
    );
    refused(["-t", "users"], both, /^restore argument -t does not apply to plain SQL/);
    checkRestoreArgs(["-1", "--single-transaction", "-O", "-x"], both, false);
  });

  test("with --restore-via, pg_restore's files are copied in; plain SQL takes no file", () => {
    refused(["-L", "log.txt"], plain, /does not apply: plain SQL/, true);
    checkRestoreArgs(["-L", "x.list"], archives, true);
    assert.deepEqual(fileValues("pg_restore", ["-1", "-L", "a.list", "--use-list=b.list", "-Lc.list"]), [
      { index: 2, at: 0, path: "a.list" },
      { index: 3, at: 11, path: "b.list" },
      { index: 4, at: 2, path: "c.list" },
    ]);
  });
});

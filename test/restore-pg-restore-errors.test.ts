// pg-restore-errors.ts: pg_restore's stderr read, and its failures explained.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArchiveHeader } from "../src/restore/archive-header.ts";
import { explainArchiveFailure, pgRestoreErrors } from "../src/restore/pg-restore-errors.ts";
import { cli, header15 } from "./restore-helpers.ts";

describe("tools and their output", () => {
  test("errors are read out of pg_restore", () => {
    assert.deepEqual(
      pgRestoreErrors(
        'pg_restore: error: could not execute query: ERROR:  role "x" does not exist\nCommand was: ALTER TABLE t OWNER TO x;\n',
      ),
      ['could not execute query: ERROR: role "x" does not exist (while running: ALTER TABLE t OWNER TO x;)'],
    );
  });
});

describe("restore output", () => {
  test("pg_restore's failing command is found past LINE and caret lines", () => {
    assert.deepEqual(
      pgRestoreErrors(
        'pg_restore: while PROCESSING TOC:\npg_restore: from TOC entry 215; 1259 16390 VIEW v postgres\npg_restore: error: could not execute query: ERROR:  relation "other.o" does not exist\nLINE 3:    FROM other.o;\n                ^\nCommand was: CREATE VIEW public.v AS\n SELECT o.id\n   FROM other.o;\n\n\npg_restore: warning: errors ignored on restore: 1\n',
      ),
      [
        'could not execute query: ERROR: relation "other.o" does not exist (while running: CREATE VIEW public.v AS SELECT o.id FROM other.o;)',
      ],
    );
  });

  test("a corrupt archive is called corrupt, also when pg_restore says only out of memory or that a worker died", () => {
    const header = parseArchiveHeader(header15());
    assert.ok(header.ok);
    for (const stderr of ["out of memory\n", "pg_restore: error: a worker process died unexpectedly\n"]) {
      const text = cli(explainArchiveFailure(pgRestoreErrors(stderr), stderr, header.header, "15.18"));
      assert.match(
        text,
        /^(out of memory|a worker process died unexpectedly)\. The archive may be corrupt: .*--jobs 1/,
      );
    }
  });

  test("pg_restore that crashed or said nothing: the signal, corrupt, what to do", () => {
    const header = parseArchiveHeader(header15());
    assert.ok(header.ok);
    const crashed = explainArchiveFailure([], "", header.header, "15.18", {
      exit: { code: null, signal: "SIGSEGV" },
    });
    assert.match(
      crashed,
      /^pg_restore 15\.18 crashed \(SIGSEGV\) while reading the archive: the archive is corrupt .*Make it again with pg_dump, or copy it again/,
    );
    // docker exec reports a signal as 128+N
    const inContainer = explainArchiveFailure([], "", header.header, "in the container", {
      exit: { code: 139, signal: null },
    });
    assert.match(inContainer, /^pg_restore \(in the container\) crashed \(SIGSEGV\)/);
    const killed = explainArchiveFailure([], "", header.header, "15.18", {
      exit: { code: null, signal: "SIGKILL" },
    });
    assert.match(killed, /was killed \(SIGKILL\) while reading the archive.*out-of-memory killer/);
    const silent = explainArchiveFailure([], "", header.header, "15.18", { exit: { code: 1, signal: null } });
    assert.match(
      silent,
      /^pg_restore 15\.18 stopped \(exit code 1\) without a message while reading the archive: the archive is most likely corrupt/,
    );
  });

  test("a directory archive with a file missing or unreadable: incomplete or unreadable, the worker's death left out", () => {
    const header = parseArchiveHeader(header15(3));
    assert.ok(header.ok);
    const stderr = (reason: string) =>
      `pg_restore: error: could not open input file "/d/3268.dat": ${reason}\npg_restore: error: a worker process died unexpectedly\n`;
    for (const [reason, remedy] of [
      ["No such file or directory", /Copy the whole folder again/],
      ["Permission denied", /Make the folder's files readable by this user/],
    ] as const) {
      const text = explainArchiveFailure(
        pgRestoreErrors(stderr(reason)),
        stderr(reason),
        header.header,
        "15.18",
        {
          exit: { code: 1, signal: null },
          format: "directory",
        },
      );
      assert.match(
        text,
        new RegExp(
          `^the directory archive is incomplete or unreadable: pg_restore could not open /d/3268\\.dat \\(${reason}\\)\\. `,
        ),
      );
      assert.match(text, remedy);
      assert.doesNotMatch(text, /worker/);
    }
  });
});

// plain/: the plain SQL reader: statements cut and left out, COPY data, meta-commands, encodings, limits.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { PlainSqlProblem } from "../src/restore/plain/events.ts";
import { filtered } from "./restore-helpers.ts";

describe("plain SQL script", () => {
  const script = [
    "\\restrict abc",
    "SET client_encoding = 'UTF8';",
    "CREATE TABLE public.t (id integer, body text);",
    "ALTER TABLE public.t OWNER TO app_owner;",
    "CREATE FUNCTION f() RETURNS void AS $body$",
    "GRANT SELECT ON t TO nobody;",
    "$body$ LANGUAGE sql;",
    "COPY public.t (id, body) FROM stdin;",
    "1\tGRANT ALL ON t TO x;",
    "2\tALTER TABLE t OWNER TO y;",
    "\\.",
    "GRANT SELECT ON TABLE public.t TO reader;",
    "INSERT INTO public.t VALUES (3, 'REVOKE ALL ON t FROM z;');",
    "COMMENT ON TABLE t IS 'multi",
    "GRANT x TO y;';",
    "REVOKE ALL ON SCHEMA public FROM PUBLIC;",
    "\\unrestrict abc",
    "",
  ].join("\n");

  test("statements are given one by one, ownership, privileges and the client encoding left out; COPY data as read", async () => {
    const { stmts, data, f } = await filtered(script);
    assert.deepEqual(stmts, [
      "CREATE TABLE public.t (id integer, body text);",
      "CREATE FUNCTION f() RETURNS void AS $body$\nGRANT SELECT ON t TO nobody;\n$body$ LANGUAGE sql;",
      "COPY public.t (id, body) FROM stdin;",
      "INSERT INTO public.t VALUES (3, 'REVOKE ALL ON t FROM z;');",
      "COMMENT ON TABLE t IS 'multi\nGRANT x TO y;';",
    ]);
    assert.equal(data, "1\tGRANT ALL ON t TO x;\n2\tALTER TABLE t OWNER TO y;\n<end>");
    assert.equal(f.facts.skippedOwner, 1);
    assert.equal(f.facts.skippedPrivileges, 2);
    assert.equal(f.facts.copies, 1);
    assert.equal(f.facts.inserts, 1);
    assert.equal(f.facts.setvals, 0);
    assert.equal(f.facts.lines, 17);
  });

  test("the same whatever the chunk boundaries, CRLF included; a statement's end tells its lines", async () => {
    const crlf = script.replace(/\n/g, "\r\n");
    const whole = await filtered(crlf, 1 << 20);
    for (const chunk of [1, 2, 3, 64]) {
      const { stmts, data } = await filtered(crlf, chunk);
      assert.deepEqual(stmts, whole.stmts, `chunks of ${chunk}`);
      assert.equal(data, whole.data, `chunks of ${chunk}`);
    }
    assert.ok(!whole.stmts.join("").includes("OWNER TO app_owner"));
    assert.equal(whole.data, "1\tGRANT ALL ON t TO x;\r\n2\tALTER TABLE t OWNER TO y;\r\n<end>");
    const ends = whole.events.flatMap((e) => (e.k === "end" && !e.blank ? [[e.first, e.last, e.copy]] : []));
    assert.deepEqual(ends, [
      [3, 3, false],
      [5, 7, false],
      [8, 8, true],
      [13, 13, false],
      [14, 15, false],
    ]);
  });

  test("COPY data is never held as whole lines: a long row comes in pieces, the \\. line found across chunks", async () => {
    const row = "x".repeat(100_000);
    const text = `COPY t (v) FROM stdin;\n${row}\n\\.\nSELECT 1;\n`;
    for (const chunk of [1000, 4099]) {
      const { events, data, stmts } = await filtered(text, chunk);
      const pieces = events.filter((e) => e.k === "data");
      assert.ok(pieces.length > 10, "many pieces");
      assert.ok(pieces.every((e) => e.k === "data" && e.buf.length <= chunk + 3));
      assert.equal(data, `${row}\n<end>`);
      assert.deepEqual(stmts, ["COPY t (v) FROM stdin;", "SELECT 1;"]);
    }
    // \. must be alone on its line; \.x and a \ line are data. Without \. the data ends with the file.
    const { data } = await filtered("COPY t FROM stdin;\n\\.x\n\\\n\\N\n", 2);
    assert.equal(data, "\\.x\n\\\n\\N\n<end>");
  });

  test("setval and ALTER SEQUENCE RESTART are noted; a --create dump stays in the scratch database", async () => {
    const { stmts, f } = await filtered(
      "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';\nALTER DATABASE shop OWNER TO x;\n\\connect shop\nSELECT pg_catalog.setval('public.t_id_seq', 3, true);\nALTER SEQUENCE s\n  RESTART WITH 5;\n",
    );
    assert.deepEqual(stmts, [
      "SELECT pg_catalog.setval('public.t_id_seq', 3, true);",
      "ALTER SEQUENCE s\n  RESTART WITH 5;",
    ]);
    assert.equal(f.facts.setvals, 2);
  });

  test("a second \\connect (pg_dumpall) is refused with its line", async () => {
    await assert.rejects(filtered("\\connect a\nSELECT 1;\n\\connect b\n"), (err: unknown) => {
      assert.ok(err instanceof PlainSqlProblem);
      assert.equal(err.line, 3);
      assert.match(err.message, /pg_dumpall/);
      return true;
    });
  });

  test("a database-level statement is cut wherever it lies, and only it", async () => {
    const cases: [string, string[]][] = [
      ["DROP DATABASE IF EXISTS victim; -- start afresh\nSELECT 1;\n", ["SELECT 1;"]],
      ["/* reset */ DROP DATABASE IF EXISTS victim;\nSELECT 1;\n", ["SELECT 1;"]],
      ["DROP DATABASE IF EXISTS\n  victim;\nSELECT 1;\n", ["SELECT 1;"]],
      [
        "DROP DATABASE IF EXISTS victim; CREATE DATABASE victim; CREATE TABLE t (id int);\n",
        ["CREATE TABLE t (id int);"],
      ],
      ["SELECT 1; DROP /* x */ DATABASE\n  victim; SELECT 2; -- end\n", ["SELECT 1;", "SELECT 2;"]],
      ["SELECT 1; \\c victim\nSELECT 2;\n", ["SELECT 1;", "SELECT 2;"]],
      ["ALTER DATABASE shop SET search_path = x;\r\nCOMMENT ON DATABASE shop IS 'a;b';\r\n", []],
      ["SELECT 1 \\; DROP DATABASE x;\n", ["SELECT 1 ;"]],
      // Inside a string or a function body it is text, not a statement.
      [
        "SELECT 'DROP DATABASE x;';\nCREATE FUNCTION f() RETURNS void AS $$\nDROP DATABASE x;\n$$ LANGUAGE sql;\n",
        [
          "SELECT 'DROP DATABASE x;';",
          "CREATE FUNCTION f() RETURNS void AS $$\nDROP DATABASE x;\n$$ LANGUAGE sql;",
        ],
      ],
    ];
    for (const [input, expected] of cases) {
      for (const chunk of [1, 3, 1000]) {
        const { stmts, f } = await filtered(input, chunk);
        assert.deepEqual(stmts, expected, `${JSON.stringify(input)} in chunks of ${chunk}`);
        assert.ok(f.facts.skippedDatabase > 0 || expected.length === 2);
      }
    }
  });

  test("ownership and privilege statements are cut the same way; a column called owner is not", async () => {
    const { stmts, f } = await filtered(
      "ALTER TABLE t\n  OWNER TO bob; SELECT 3;\nALTER TABLE t RENAME COLUMN owner TO bob;\nGRANT a TO b; GRANT c\nTO d; SELECT 4;\nALTER TABLE ONLY t\n  ADD CONSTRAINT k PRIMARY KEY (id);\n",
    );
    assert.deepEqual(stmts, [
      "SELECT 3;",
      "ALTER TABLE t RENAME COLUMN owner TO bob;",
      "SELECT 4;",
      "ALTER TABLE ONLY t\n  ADD CONSTRAINT k PRIMARY KEY (id);",
    ]);
    assert.equal(f.facts.skippedOwner, 1);
    assert.equal(f.facts.skippedPrivileges, 2);
  });

  test("role and tablespace statements never reach the server; user mappings do", async () => {
    const { stmts, f } = await filtered(
      "CREATE USER pgexercises WITH PASSWORD '';\nALTER USER pgexercises SET statement_timeout = 750; CREATE TABLE t (id int);\nCREATE USER MAPPING FOR x SERVER y;\nDROP ROLE IF EXISTS app;\nCREATE TABLESPACE ts LOCATION '/x';\nALTER SYSTEM SET work_mem = '1GB';\n",
    );
    assert.deepEqual(stmts, ["CREATE TABLE t (id int);", "CREATE USER MAPPING FOR x SERVER y;"]);
    assert.equal(f.facts.skippedCluster, 5);
    assert.deepEqual(f.facts.cluster, [
      "CREATE USER pgexercises",
      "ALTER USER pgexercises",
      "DROP ROLE IF EXISTS app",
      "CREATE TABLESPACE ts",
      "ALTER SYSTEM SET work_mem",
    ]);
  });

  test("a ; inside parentheses or a SQL-standard routine body (BEGIN ATOMIC ... END) ends no statement", async () => {
    const { stmts } = await filtered(
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\n  SELECT 2;\nEND;\nCREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);\nSELECT 3;\n",
    );
    assert.equal(stmts.length, 3);
    assert.match(stmts[0] ?? "", /^CREATE FUNCTION[\s\S]*SELECT 2;\nEND;$/);
    assert.match(stmts[1] ?? "", /^CREATE RULE .*\);$/);
  });

  test("meta-commands beyond what pg_dump writes and the fixture's own files are refused with their line, wherever they stand", async () => {
    for (const [input, line, message] of [
      [
        "SELECT 1;\n\\! touch /tmp/x\n",
        2,
        /^\\! runs a shell command: seq-guard runs plain SQL itself, without psql/,
      ],
      ["SELECT 1; \\! touch /tmp/x\n", 1, /^\\! runs a shell command/],
      ["SELECT 1 \\g /tmp/out\n", 1, /^\\g is a psql meta-command: .*Remove it from the script/],
      ["\\o /tmp/out\n", 1, /^\\o sends query results/],
      ["SELECT 1\n\\w /tmp/q\n", 2, /^\\w writes the query buffer/],
      ["\\copy t from program 'id'\n", 1, /^\\copy runs a program \(\\copy ... FROM PROGRAM\)/],
      ["\\copy t (a, b) TO PROGRAM 'cat'\n", 1, /^\\copy writes data out/],
      ["\\copy t to /tmp/x\n", 1, /^\\copy writes data out/],
      ["\\copy t from pstdin\n", 1, /^\\copy reads psql's own standard input/],
      ["\\copy\n", 1, /^\\copy names no FROM/],
      ["\\setenv PAGER cat\n", 1, /^\\setenv sets environment variables/],
      ["\\getenv t GITHUB_TOKEN\n", 1, /^\\getenv reads an environment variable/],
      ["\\cd /\n", 1, /^\\cd changes psql's working folder/],
      ["\\lo_import /etc/passwd\n", 1, /^\\lo_import reads a file/],
      ["\\password\n", 1, /^\\password changes a role's password/],
      ["\\echo a \\\\ \\! id\n", 1, /^\\! runs a shell command/],
      ["\\if true\n\\endif\n", 1, /^\\if is psql's conditional/],
      ["SELECT 1;\nSELECT 'DROP DATABASE x' \\gexec\n", 2, /^\\gexec runs the rows of a query as statements/],
      ["SELECT 1 \\watch 1\n", 1, /^\\watch repeats a query/],
      ["\\frobnicate\n", 1, /^\\frobnicate is a psql meta-command: seq-guard runs plain SQL itself/],
      ["SELECT 1,\n\\i x.sql\n2;\n", 2, /^\\i stands inside a statement/],
    ] as const) {
      await assert.rejects(filtered(input), (err: unknown) => {
        assert.ok(err instanceof PlainSqlProblem, `${input}: ${err}`);
        assert.equal(err.line, line, input);
        assert.match(err.message, message, input);
        return true;
      });
    }
  });

  test("what pg_dump writes and psql-state commands are taken or ignored; variables reach the server as written", async () => {
    const { stmts, events } = await filtered(
      [
        "\\restrict abc",
        "\\set ON_ERROR_STOP on",
        "\\unset n",
        "\\echo 'a `quoted` backquote'",
        "\\pset format unaligned",
        "\\timing on",
        "\\qecho x",
        "\\warn y",
        "SELECT 1 \\g",
        "INSERT INTO t VALUES (:n, :'s');",
        ":cmd;",
        "\\copy t from 'rows.csv' with (format csv)",
        "\\copy t (a, b) from stdin",
        "1\t2",
        "\\.",
        "\\ir parts/x.sql",
        "\\unrestrict abc",
        "",
      ].join("\n"),
    );
    assert.deepEqual(stmts, ["SELECT 1 ", "INSERT INTO t VALUES (:n, :'s');", ":cmd;"]);
    const other = events.filter((e) => e.k === "copy" || e.k === "include");
    assert.deepEqual(
      other.map((e) =>
        e.k === "copy"
          ? [e.sql.toString(), e.file, e.line]
          : e.k === "include"
            ? [e.path, e.relative, e.line]
            : [],
      ),
      [
        ["COPY t FROM STDIN with (format csv)", "rows.csv", 12],
        ["COPY t (a, b) FROM STDIN", null, 13],
        ["parts/x.sql", true, 16],
      ],
    );
  });

  test("a script that starts as pg_dump writes one but lacks its last line was cut short", async () => {
    const head =
      "--\n-- PostgreSQL database dump\n--\n\nCREATE TABLE t (id int);\nCOPY t (id) FROM stdin;\n1\n";
    await assert.rejects(filtered(head), (err: unknown) => {
      assert.ok(err instanceof PlainSqlProblem);
      assert.equal(err.line, 7);
      assert.match(
        err.message,
        /ends without the line pg_dump writes last \(-- PostgreSQL database dump complete\): it was cut short/,
      );
      return true;
    });
    await filtered(`${head}\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n`);
    // A hand-written script need not end so.
    assert.deepEqual((await filtered("CREATE TABLE t (id int)\n")).stmts, ["CREATE TABLE t (id int)\n"]);
  });

  test("a line or a statement longer than 16 MiB outside COPY data is refused with its line", async () => {
    const long = Buffer.alloc(17 * 1024 * 1024, 0x61);
    await assert.rejects(
      filtered(Buffer.concat([Buffer.from("SELECT 1;\n"), long]), 1 << 20),
      (err: unknown) => {
        assert.ok(err instanceof PlainSqlProblem);
        assert.equal(err.line, 2);
        assert.match(err.message, /longer than 16 MiB outside COPY data/);
        return true;
      },
    );
  });

  test("client_encoding: a LATIN1 script is read as UTF-8 from its SET on (which is not sent); bad bytes name their line", async () => {
    const latin1 = Buffer.concat([
      Buffer.from("SET client_encoding = 'LATIN1';\nINSERT INTO t VALUES ('caf"),
      Buffer.from([0xe9]),
      Buffer.from("');\nCOPY t FROM stdin;\nna"),
      Buffer.from([0xef]),
      Buffer.from("ve\n\\.\n"),
    ]);
    for (const chunk of [1, 5, 1000]) {
      const { stmts, data, f } = await filtered(latin1, chunk);
      assert.deepEqual(stmts, ["INSERT INTO t VALUES ('café');", "COPY t FROM stdin;"]);
      assert.equal(data, "naïve\n<end>");
      assert.equal(f.encoding, "LATIN1");
    }
    const eucjp = Buffer.concat([
      Buffer.from("SET client_encoding TO 'EUC_JP';\nSELECT '"),
      Buffer.from([0xc6, 0xfc, 0xcb, 0xdc]),
      Buffer.from("';\n"),
    ]);
    assert.deepEqual((await filtered(eucjp, 3)).stmts, ["SELECT '日本';"]);
    const bad = Buffer.concat([
      Buffer.from("SET client_encoding = 'EUC_JP';\nSELECT 1;\nSELECT '"),
      Buffer.from([0xc6, 0x20]),
      Buffer.from("';\n"),
    ]);
    await assert.rejects(filtered(bad, 1000), (err: unknown) => {
      assert.ok(err instanceof PlainSqlProblem);
      assert.equal(err.line, 3);
      assert.match(err.message, /not valid EUCJP, the client_encoding the script sets/);
      return true;
    });
    const ascii = Buffer.concat([
      Buffer.from("SET client_encoding = 'SQL_ASCII';\nSELECT '"),
      Buffer.from([0xff]),
      Buffer.from("';\n"),
    ]);
    await assert.rejects(
      filtered(ascii, 1000),
      /bytes that are not UTF-8, in a script that declares no encoding/,
    );
    await assert.rejects(filtered("SET client_encoding = 'MULE_INTERNAL';\n"), /cannot convert to UTF-8/);
  });

  test("any text gives the same statements and data whatever its chunks, or the same refusal", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.integer({ min: 1, max: 50 }),
        async (s, chunk) => {
          const read = (c: number) =>
            filtered(s, c).then(
              (r) => JSON.stringify([r.stmts, r.data]),
              (e: unknown) => (e instanceof PlainSqlProblem ? `problem ${e.line}` : `crash ${e}`),
            );
          const whole = await read(1 << 20);
          assert.ok(!whole.startsWith("crash"), whole);
          assert.equal(await read(chunk), whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});

// Plain SQL run by seq-guard itself (src/restore/run-plain.ts), against the test server: \i, \ir and \copy ... FROM
// confined to the dump's folder by real path; errors named by the FILE:LINE the server points at (COPY rows
// included); --on-restore-error continue and -1; a LATIN1 script into a LATIN1 database, byte for byte; bad bytes
// and a session encoding switched under the runner; real pg_dump --create output; \restrict, BEGIN ATOMIC and
// multi-action rules; gzip; a cut-short dump; Ctrl-C during a long COPY. In-process through runTargets, and the
// built CLI for the signal.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { gzipSync } from "node:zlib";
import type { TargetReport } from "../src/core/types.ts";
import { parseDatabaseUrl } from "../src/db/connection.ts";
import { DEFAULT_ENGINE } from "../src/db/engine.ts";
import type { RestoreOptions } from "../src/restore/options.ts";
import { runTargets } from "../src/run/targets.ts";
import { databasesLike, pgTool, sg } from "./fixtures/restore/util.ts";
import { adminUrl, restoreOptions, urlFor, withClient } from "./helpers.ts";
import { cli } from "./restore-helpers.ts";

const base = mkdtempSync(join(tmpdir(), "seq-guard-run-plain-"));
const made = new Set<string>();
after(async () => {
  rmSync(base, { recursive: true, force: true });
  await withClient(adminUrl(), async (c) => {
    for (const d of made) await c.query(`DROP DATABASE IF EXISTS "${d}" WITH (FORCE)`);
  });
});

const uniq = () => randomBytes(4).toString("hex");

/** Restore dumps in-process, each into its own kept database (named for the test, dropped afterwards). */
async function run(dumps: string[], restore: Partial<RestoreOptions> = {}): Promise<TargetReport[]> {
  const targets = await runTargets({
    connection: parseDatabaseUrl(adminUrl(), "--database-url"),
    dumps,
    restore: restoreOptions({ keep: true, ...restore }),
    engine: { ...DEFAULT_ENGINE, mode: "check" },
    progress: () => undefined,
  });
  for (const t of targets) if (t.database) made.add(t.database);
  // Messages name settings by key; the CLI shows them in its words, and so are they compared here.
  return targets.map((t) => ({
    ...t,
    error: t.error === null ? null : cli(t.error),
    hints: t.hints.map(cli),
  }));
}

async function one(path: string, restore: Partial<RestoreOptions> = {}): Promise<TargetReport> {
  const [t] = await run([path], restore);
  assert.ok(t, "one target");
  return t;
}

function folder(name: string): string {
  const d = join(base, `${name}-${uniq()}`);
  mkdirSync(d, { recursive: true });
  return d;
}

function write(path: string, text: string | Buffer): string {
  writeFileSync(path, text);
  return path;
}

async function rows<T = Record<string, unknown>>(database: string, sql: string): Promise<T[]> {
  return withClient(urlFor(database), async (c) => (await c.query(sql)).rows as T[]);
}

async function tables(database: string): Promise<string[]> {
  const r = await rows<{ t: string }>(
    database,
    "SELECT relname AS t FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1",
  );
  return r.map((x) => x.t);
}

const admin = <T>(sql: string, params: unknown[] = []) =>
  withClient(adminUrl(), async (c) => (await c.query(sql, params)).rows as T[]);

/** An empty database that exists before the restore (so it stays after a failed one, for its contents). */
async function existing(prefix: string): Promise<string> {
  const name = `${prefix}_${uniq()}`;
  await admin(`CREATE DATABASE ${name} TEMPLATE template0`);
  made.add(name);
  return name;
}

describe("\\i, \\ir and \\copy ... FROM reach the dump's folder only, by real path", () => {
  test("a file in the folder whose name starts with two dots is inside it", async () => {
    const d = folder("dots");
    write(join(d, "..seed.sql"), "CREATE TABLE dotted (x int);\n");
    const t = await one(write(join(d, "rp-dots.sql"), "\\i ..seed.sql\n"));
    assert.equal(t.error, null, t.error ?? "");
    assert.deepEqual(await tables(t.database), ["dotted"]);
  });

  test("inside the folder: \\i from the dump's folder, \\ir from the included file's own folder, \\copy FROM a file", async () => {
    const d = folder("inside");
    mkdirSync(join(d, "parts", "more"), { recursive: true });
    write(
      join(d, "parts", "schema.sql"),
      "CREATE TABLE t (id serial PRIMARY KEY, v text);\n\\ir more/extra.sql\n",
    );
    // \ir in parts/schema.sql resolves from parts/, not from the dump's folder (where no more/ exists).
    write(join(d, "parts", "more", "extra.sql"), "CREATE TABLE extra (x int);\n");
    write(join(d, "parts", "rows.csv"), "1,one\n2,two\n7,seven\n");
    const main = write(
      join(d, "rp-main.sql"),
      "\\i parts/schema.sql\n\\copy t (id, v) FROM 'parts/rows.csv' WITH (FORMAT csv)\nINSERT INTO extra VALUES (42);\n",
    );
    const t = await one(main);
    assert.equal(t.error, null, t.error ?? "");
    assert.deepEqual(await tables(t.database), ["extra", "t"]);
    assert.deepEqual(await rows(t.database, "SELECT id, v FROM t ORDER BY id"), [
      { id: 1, v: "one" },
      { id: 2, v: "two" },
      { id: 7, v: "seven" },
    ]);
    assert.deepEqual(await rows(t.database, "SELECT x FROM extra"), [{ x: 42 }]);
    assert.equal(t.sequences[0]?.status, "behind", "the copied ids left the sequence behind");
  });

  test("outside the folder, or through a symbolic link in it that leads outside: refused with FILE:LINE, nothing of it runs", async () => {
    const outside = folder("outside");
    const secret = write(join(outside, "evil.sql"), "CREATE TABLE pwned (x int);\n");
    const secretCsv = write(join(outside, "evil.csv"), "1\n");
    const d = folder("confined");
    symlinkSync(secret, join(d, "link.sql"));
    symlinkSync(secretCsv, join(d, "link.csv"));
    symlinkSync(outside, join(d, "linkdir"));
    mkdirSync(join(d, "sub"));
    const head = "CREATE TABLE t (id int);\n";
    const cases: [string, string, RegExp][] = [
      ["abs.sql", `\\i ${secret}\n`, /abs\.sql:2: \\i \S+evil\.sql: it lies outside the dump's folder/],
      ["dotdot.sql", `\\ir ../${outside.split("/").pop()}/evil.sql\n`, /dotdot\.sql:2: \\ir .*lies outside/],
      [
        "link.sql-user.sql",
        "\\i link.sql\n",
        /link\.sql-user\.sql:2: \\i link\.sql: .*link\.sql leads to \S+evil\.sql/,
      ],
      [
        "linkdir.sql",
        "\\i linkdir/evil.sql\n",
        /linkdir\.sql:2: \\i linkdir\/evil\.sql: .*leads to \S+evil\.sql/,
      ],
      [
        "copy-abs.sql",
        `\\copy t FROM '${secretCsv}'\n`,
        /copy-abs\.sql:2: \\copy \.\.\. FROM \S+evil\.csv: it lies outside the dump's folder/,
      ],
      [
        "copy-link.sql",
        "\\copy t FROM 'link.csv'\n",
        /copy-link\.sql:2: \\copy \.\.\. FROM link\.csv: .*leads to/,
      ],
      ["dir.sql", "\\i sub\n", /dir\.sql:2: \\i sub: it is not a regular file/],
      ["missing.sql", "\\i nothere.sql\n", /missing\.sql:2: \\i nothere\.sql: could not read it/],
    ];
    // An included file's own \ir is confined the same way, and named by its place in the folder.
    write(join(d, "sub", "part.sql"), "SELECT 1;\n\\ir ../link.sql\n");
    cases.push(["nested.sql", "\\i sub/part.sql\n", /sub\/part\.sql:2: \\ir \.\.\/link\.sql: .*leads to/]);
    const paths = cases.map(([name, text]) => write(join(d, `rp-${name}`), head + text));
    const targets = await run(paths);
    for (const [i, [name, , re]] of cases.entries()) {
      const t = targets[i] as TargetReport;
      assert.match(t.error ?? "", re, name);
      assert.doesNotMatch(t.error ?? "", /\n\s+at /, "no stack trace");
    }
    // A failed restore drops its scratch database: none of them ran evil.sql, none is left.
    for (const t of targets) {
      assert.ok(!(await databasesLike(t.database)).includes(t.database), `${t.dump}: dropped`);
    }
  });
});

describe("errors are named by the line the server points at", () => {
  test("an error on line 5 of a statement on lines 3-5 names line 5; one with no position the statement's first line", async () => {
    const d = folder("lines");
    const positioned = write(
      join(d, "rp-positioned.sql"),
      "CREATE TABLE t (id int, v int);\n-- a comment\nINSERT INTO t (id, v)\n  VALUES\n  (1, no_such_column);\n",
    );
    const unpositioned = write(
      join(d, "rp-unpositioned.sql"),
      "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);\n\nINSERT INTO t\n  VALUES (1);\n",
    );
    const [a, b] = await run([positioned, unpositioned]);
    assert.match(
      a?.error ?? "",
      /positioned\.sql:5: ERROR: column "no_such_column" does not exist.* Fix the statement on lines 3-5, or pass --on-restore-error continue/,
    );
    assert.match(
      b?.error ?? "",
      /unpositioned\.sql:4: ERROR: duplicate key value violates unique constraint "t_pkey" DETAIL: Key \(id\)=\(1\) already exists\. Fix the statement on lines 4-5/,
    );
  });

  test("a COPY row error names the file line the row is on", async () => {
    const d = folder("copyline");
    const file = write(
      join(d, "rp-copy.sql"),
      [
        "CREATE TABLE t (id int, v text);", // 1
        "", // 2
        "COPY t (id, v) FROM stdin;", // 3
        "1\tone", // 4
        "2\ttwo", // 5
        "three\tthree", // 6
        "4\tfour", // 7
        "\\.", // 8
        "",
      ].join("\n"),
    );
    const t = await one(file);
    assert.match(
      t.error ?? "",
      /copy\.sql:6: ERROR: invalid input syntax for type integer: "three" CONTEXT: COPY t, line 3, column id: "three"\. Fix the data on that line \(COPY on line 3\)/,
    );
  });
});

describe("--on-restore-error continue and -1", () => {
  test("continue: later statements still run, each error is listed in the hints with its FILE:LINE", async () => {
    const d = folder("continue");
    const file = write(
      join(d, "rp-cont.sql"),
      [
        "CREATE TABLE t (id serial PRIMARY KEY);", // 1
        "INSERT INTO t VALUES (1);", // 2
        "SELECT * FROM nosuch;", // 3
        "COPY t (id) FROM stdin;", // 4
        "2", // 5
        "x", // 6
        "\\.", // 7
        "INSERT INTO t VALUES (3);", // 8
        "SELECT 1/0;", // 9
        "INSERT INTO t VALUES (4);", // 10
        "",
      ].join("\n"),
    );
    const t = await one(file, { onError: "continue" });
    assert.equal(t.error, null, t.error ?? "");
    // The bad COPY is one statement: none of its rows went in; everything after it did.
    assert.deepEqual(await rows(t.database, "SELECT id FROM t ORDER BY id"), [
      { id: 1 },
      { id: 3 },
      { id: 4 },
    ]);
    const hints = t.hints.filter((h) => h.includes("passed over"));
    assert.equal(hints.length, 3, hints.join("\n"));
    assert.match(
      hints[0] ?? "",
      /^seq-guard passed over error 1 of 3 \(--on-restore-error continue\): \S*cont\.sql:3: ERROR: relation "nosuch" does not exist/,
    );
    assert.match(
      hints[1] ?? "",
      /error 2 of 3 .*cont\.sql:6: ERROR: invalid input syntax for type integer: "x"/,
    );
    assert.match(hints[2] ?? "", /error 3 of 3 .*cont\.sql:9: ERROR: division by zero/);
  });

  test("a failing statement never makes the ones before it run twice: their nextval() calls would hide a behind sequence", async () => {
    const d = folder("once");
    const file = write(
      join(d, "rp-once.sql"),
      [
        "CREATE TABLE t (id serial PRIMARY KEY, name text);", // 1
        "INSERT INTO t (name) VALUES ('a');", // 2: nextval() gives 1
        "INSERT INTO t (id, name) VALUES (2, 'b');", // 3: an explicit id: the sequence is now behind
        "SELECT 1/0;", // 4
        "",
      ].join("\n"),
    );
    const t = await one(file, { onError: "continue" });
    assert.equal(t.error, null, t.error ?? "");
    const seq = t.sequences.find((x) => x.sequence === "public.t_id_seq");
    assert.equal(seq?.status, "behind", "as psql leaves it: last value 1, next 2, and 2 is taken");
    assert.equal(seq?.max, "2");
    assert.deepEqual(await rows(t.database, "SELECT last_value::int AS v FROM t_id_seq"), [{ v: 1 }]);
  });

  test("statements that cannot share a query still run, and continue passes over exactly the failing one", async () => {
    // Consecutive statements may go to the server in one query: one that cannot run there (VACUUM, CREATE INDEX
    // CONCURRENTLY, an enum value used in the transaction that adds it) or one that fails must behave as alone.
    const d = folder("batch");
    const file = write(
      join(d, "rp-batch.sql"),
      [
        "CREATE TABLE t (id serial PRIMARY KEY, m text);", // 1
        "CREATE TYPE mood AS ENUM ('sad');", // 2
        "ALTER TYPE mood ADD VALUE 'happy';", // 3
        "CREATE TABLE feel (m mood);", // 4
        "INSERT INTO feel VALUES ('happy');", // 5
        "VACUUM t;", // 6
        "CREATE INDEX CONCURRENTLY t_m ON t (m);", // 7
        "INSERT INTO t (id, m) VALUES (1, 'a');", // 8
        "INSERT INTO t (id, m) VALUES (1, 'dup');", // 9
        "INSERT INTO t (id, m) VALUES (2, 'b');", // 10
        "",
      ].join("\n"),
    );
    const t = await one(file, { onError: "continue" });
    assert.equal(t.error, null, t.error ?? "");
    const hints = t.hints.filter((h) => h.includes("passed over"));
    assert.equal(hints.length, 1, hints.join("\n"));
    assert.match(
      hints[0] ?? "",
      /rp-batch\.sql:9: ERROR: duplicate key value violates unique constraint "t_pkey"/,
    );
    assert.deepEqual(await rows(t.database, "SELECT id, m FROM t ORDER BY id"), [
      { id: 1, m: "a" },
      { id: 2, m: "b" },
    ]);
    assert.deepEqual(await rows(t.database, "SELECT m::text FROM feel"), [{ m: "happy" }]);
    assert.deepEqual(
      await rows(
        t.database,
        "SELECT indexrelid::regclass::text AS i FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 1",
      ),
      [{ i: "t_m" }, { i: "t_pkey" }],
    );
  });

  test("-1: an error rolls everything back, no table is left; without -1 the same script leaves its tables", async () => {
    const d = folder("single");
    const file = write(
      join(d, "rp-single.sql"),
      "CREATE TABLE a (id serial PRIMARY KEY);\nINSERT INTO a VALUES (1);\nCREATE TABLE b (id int);\nSELECT 1/0;\nCREATE TABLE c (id int);\n",
    );
    const whole = await existing("sg_rp_single");
    const t = await one(file, { database: whole, extraArgs: ["-1"] });
    assert.match(
      t.error ?? "",
      /single\.sql:4: ERROR: division by zero\. Fix the statement on that line; with --single-transaction \(restore argument -1\) the whole script was rolled back\./,
    );
    assert.deepEqual(await tables(whole), [], "nothing of the script is left");

    const part = await existing("sg_rp_part");
    const u = await one(file, { database: part });
    assert.match(u.error ?? "", /single\.sql:4: ERROR: division by zero/);
    assert.deepEqual(await tables(part), ["a", "b"], "without -1 what ran before the error stays");
  });

  test("-1 with continue still stops and rolls back; a script that ends its own transaction is refused with its line", async () => {
    const d = folder("single2");
    const file = write(
      join(d, "rp-s.sql"),
      "CREATE TABLE a (id int);\nSELECT * FROM nosuch;\nCREATE TABLE c (id int);\n",
    );
    const db = await existing("sg_rp_single_cont");
    const t = await one(file, { database: db, extraArgs: ["--single-transaction"], onError: "continue" });
    assert.match(t.error ?? "", /s\.sql:2: ERROR: relation "nosuch" does not exist.*rolled back/);
    assert.deepEqual(await tables(db), []);

    const rollback = write(join(d, "rp-r.sql"), "BEGIN;\nCREATE TABLE a (id int);\nROLLBACK;\n");
    const db2 = await existing("sg_rp_single_rb");
    const r = await one(rollback, { database: db2, extraArgs: ["-1"] });
    assert.match(r.error ?? "", /r\.sql:3: the script ends its transaction itself \(ROLLBACK\)/);
    assert.deepEqual(await tables(db2), []);
  });
});

describe("encodings", () => {
  // Every LATIN1 character from 0xA0 to 0xFF, and some text.
  const high = Buffer.from(Array.from({ length: 96 }, (_, i) => 0xa0 + i));
  const word = Buffer.from("caf\xe9 \xf1and\xfa \xdf \xfc", "latin1");

  test("a LATIN1 script into a LATIN1 database: the data round-trips exactly", async () => {
    const d = folder("latin1");
    const file = write(
      join(d, "rp-latin1.sql"),
      Buffer.concat([
        Buffer.from(
          "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'LATIN1';\nSET standard_conforming_strings = on;\n\nCREATE TABLE t (id int PRIMARY KEY, s text);\nCOMMENT ON TABLE t IS '",
          "latin1",
        ),
        word,
        Buffer.from("';\nINSERT INTO t VALUES (1, '"),
        word,
        Buffer.from("');\nCOPY t (id, s) FROM stdin;\n2\t"),
        high,
        Buffer.from("\n3\t"),
        word,
        Buffer.from("\n\\.\n\n--\n-- PostgreSQL database dump complete\n--\n\n"),
      ]),
    );
    const t = await one(file);
    assert.equal(t.error, null, t.error ?? "");
    const [enc] = await rows<{ e: string }>(
      t.database,
      "SELECT pg_encoding_to_char(encoding) AS e FROM pg_database WHERE datname = current_database()",
    );
    assert.equal(enc?.e, "LATIN1", "the scratch database has the dump's encoding");
    const got = await rows<{ id: number; s: string; b: Buffer }>(
      t.database,
      "SELECT id, s, convert_to(s, 'LATIN1') AS b FROM t ORDER BY id",
    );
    assert.deepEqual(
      got.map((r) => [r.id, r.s, r.b.toString("hex")]),
      [
        [1, word.toString("latin1"), word.toString("hex")],
        [2, high.toString("latin1"), high.toString("hex")],
        [3, word.toString("latin1"), word.toString("hex")],
      ],
    );
    const [c] = await rows<{ c: string }>(t.database, "SELECT obj_description('t'::regclass) AS c");
    assert.equal(c?.c, word.toString("latin1"));
  });

  test("bytes that are not UTF-8 in a script that sets no encoding are named by their line", async () => {
    const d = folder("badbytes");
    const stmt = write(
      join(d, "rp-stmt.sql"),
      Buffer.concat([
        Buffer.from("CREATE TABLE t (s text);\n\nINSERT INTO t VALUES ('caf"),
        Buffer.from([0xe9]),
        Buffer.from("');\n"),
      ]),
    );
    const copy = write(
      join(d, "rp-copy.sql"),
      Buffer.concat([
        Buffer.from("CREATE TABLE t (s text);\nCOPY t (s) FROM stdin;\nok\nbad "),
        Buffer.from([0xff, 0xfe]),
        Buffer.from("\n\\.\n"),
      ]),
    );
    const eucjp = write(
      join(d, "rp-eucjp.sql"),
      Buffer.concat([
        Buffer.from("SET client_encoding = 'EUC_JP';\nCREATE TABLE t (s text);\nINSERT INTO t VALUES ('"),
        Buffer.from([0xa4, 0xa2, 0xff]),
        Buffer.from("');\n"),
      ]),
    );
    const [a, b, c] = await run([stmt, copy, eucjp]);
    assert.match(a?.error ?? "", /stmt\.sql:3: this statement holds bytes that are not UTF-8/);
    assert.match(b?.error ?? "", /copy\.sql:4: ERROR: invalid byte sequence for encoding "UTF8": 0xff/);
    assert.match(c?.error ?? "", /eucjp\.sql:3: this line holds bytes that are not valid EUCJP/);
  });

  test("a statement that switches client_encoding with set_config fails cleanly, named by its line", async () => {
    const d = folder("setconfig");
    const file = write(
      join(d, "rp-switch.sql"),
      "CREATE TABLE t (s text);\nSELECT pg_catalog.set_config('client_encoding', 'LATIN1', false);\nINSERT INTO t VALUES ('after');\n",
    );
    const t = await one(file, { onError: "continue" });
    assert.match(
      t.error ?? "",
      /switch\.sql:2: this statement changed the session's client_encoding to LATIN1: seq-guard's session speaks UTF-8 only/,
    );
    assert.ok(
      !(await databasesLike(t.database)).includes(t.database),
      "the failed restore's database is dropped",
    );
  });
});

describe("what pg_dump writes", () => {
  test("pg_dump --create output: its CREATE DATABASE and \\connect are left out, the restore stays in the scratch database", async () => {
    const src = `sg_rp_created_${uniq()}`;
    await admin(`CREATE DATABASE ${src}`);
    made.add(src);
    await withClient(urlFor(src), (c) =>
      c.query(
        "CREATE TABLE users (id serial PRIMARY KEY, n text); INSERT INTO users (id, n) VALUES (1, 'a'), (5, 'b')",
      ),
    );
    const d = folder("create");
    const file = join(d, "rp-created.sql");
    await pgTool("pg_dump", ["--create", "-Fp", "-f", file], urlFor(src));
    const text = readFileSync(file, "utf8");
    assert.match(text, new RegExp(`^CREATE DATABASE ${src} `, "m"), "pg_dump --create wrote CREATE DATABASE");
    assert.match(text, new RegExp(`^\\\\connect ${src}$`, "m"), "and \\connect");
    // The source goes: were CREATE DATABASE or \connect run, the restore would make it again or fail.
    await admin(`DROP DATABASE ${src}`);
    const t = await one(file);
    assert.equal(t.error, null, t.error ?? "");
    assert.notEqual(t.database, src);
    assert.deepEqual(await rows(t.database, "SELECT id, n FROM users ORDER BY id"), [
      { id: 1, n: "a" },
      { id: 5, n: "b" },
    ]);
    assert.deepEqual(await databasesLike(src), [], "the dump's own database was not made");
  });

  test("a pg_dump 17/18 script with \\restrict KEY ... \\unrestrict KEY restores", async () => {
    const src = await existing("sg_rp_restrict_src");
    await withClient(urlFor(src), (c) =>
      c.query("CREATE TABLE r (id serial PRIMARY KEY, v int); INSERT INTO r (v) VALUES (1), (2), (3)"),
    );
    const d = folder("restrict");
    const plain = join(d, "rp-plain.sql");
    await pgTool("pg_dump", ["-Fp", "-f", plain], urlFor(src));
    const key = "Xq3vLpT0aZ9kFhR2mWn8cYbJ5sGe7uDiA1oKt4xQzVwBl6NyHr";
    const lines = readFileSync(plain, "utf8").split("\n");
    const head = lines.indexOf("-- PostgreSQL database dump");
    const tail = lines.indexOf("-- PostgreSQL database dump complete");
    assert.ok(head >= 0 && tail > head, "pg_dump's first and last comment lines");
    // Where pg_dump 17.6+/18 puts them: after the opening comment block, and after the closing one.
    lines.splice(tail + 2, 0, "", `\\unrestrict ${key}`);
    lines.splice(head + 2, 0, "", `\\restrict ${key}`);
    const file = write(join(d, "rp-restrict.sql"), lines.join("\n"));
    const t = await one(file);
    assert.equal(t.error, null, t.error ?? "");
    assert.deepEqual(await rows(t.database, "SELECT count(*)::int AS n FROM r"), [{ n: 3 }]);
    assert.equal(t.sequences[0]?.status, "ok", "pg_dump's setval restored the position");
    assert.equal(t.sequences[0]?.last_value, "3");
  });

  test("BEGIN ATOMIC bodies and a multi-action CREATE RULE: the semicolons inside stay in their statement", async () => {
    const d = folder("bodies");
    const file = write(
      join(d, "rp-bodies.sql"),
      [
        "CREATE TABLE t (id int);",
        "CREATE TABLE log (id int, what text);",
        "CREATE FUNCTION plus(a integer) RETURNS integer",
        "    LANGUAGE sql",
        "    BEGIN ATOMIC",
        "     SELECT (a + 1);",
        "     SELECT CASE WHEN a > 0 THEN a + 2 ELSE a END;",
        "    END;",
        "CREATE PROCEDURE addlog(IN x integer)",
        "    LANGUAGE sql",
        "    BEGIN ATOMIC",
        "     INSERT INTO log (id, what) VALUES (x, 'proc');",
        "     INSERT INTO log (id, what) VALUES (x + 1, 'proc');",
        "    END;",
        "CREATE RULE both_logs AS",
        "    ON INSERT TO t DO ALSO (INSERT INTO log (id, what) VALUES (new.id, 'rule'); INSERT INTO log (id, what) VALUES (new.id + 100, 'rule');",
        ");",
        "INSERT INTO t VALUES (1);",
        "CALL addlog(10);",
        "",
      ].join("\n"),
    );
    const t = await one(file);
    assert.equal(t.error, null, t.error ?? "");
    assert.deepEqual(await rows(t.database, "SELECT plus(1) AS p"), [{ p: 3 }]);
    assert.deepEqual(await rows(t.database, "SELECT id, what FROM log ORDER BY id"), [
      { id: 1, what: "rule" },
      { id: 10, what: "proc" },
      { id: 11, what: "proc" },
      { id: 101, what: "rule" },
    ]);
  });

  test("gzip-compressed plain SQL streams: COPY data across many chunks arrives whole", async () => {
    const d = folder("gzip");
    const n = 200_000;
    const data = Array.from({ length: n }, (_, i) => `${i + 1}\tvalue number ${i + 1}\n`).join("");
    const sql = `CREATE TABLE g (id serial, v text);\nCOPY g (id, v) FROM stdin;\n${data}\\.\nINSERT INTO g (v) VALUES ('last');\n`;
    const file = write(join(d, "rp-big.sql.gz"), gzipSync(sql));
    const t = await one(file);
    assert.equal(t.error, null, t.error ?? "");
    assert.equal(t.format, "plain-gzip");
    const [r] = await rows<{ n: number; s: string; last: number }>(
      t.database,
      "SELECT count(*)::int AS n, sum(length(v))::text AS s, count(*) FILTER (WHERE v = 'last' AND id = 1)::int AS last FROM g",
    );
    const expected =
      data.split("\n").reduce((a, l) => a + (l.split("\t")[1]?.length ?? 0), 0) + "last".length;
    assert.deepEqual(
      r,
      { n: n + 1, s: String(expected), last: 1 },
      "every row, then the statement after the data",
    );
    assert.equal(t.sequences[0]?.status, "behind", "the copied ids are past the sequence");
  });

  test("a pg_dump script cut short (no 'dump complete' line) is refused, and its database dropped", async () => {
    const src = await existing("sg_rp_cut_src");
    await withClient(urlFor(src), (c) =>
      c.query("CREATE TABLE c (id serial PRIMARY KEY); INSERT INTO c (id) SELECT generate_series(1, 100)"),
    );
    const d = folder("cut");
    const whole = join(d, "rp-whole.sql");
    await pgTool("pg_dump", ["-Fp", "-f", whole], urlFor(src));
    const text = readFileSync(whole, "utf8");
    const at = text.indexOf("-- PostgreSQL database dump complete");
    assert.ok(at > 0);
    const file = write(join(d, "rp-cut.sql"), text.slice(0, at));
    const t = await one(file);
    assert.match(
      t.error ?? "",
      /cut\.sql:\d+: the script starts as pg_dump writes one .* but ends without the line pg_dump writes last .*: it was cut short/,
    );
    assert.ok(!(await databasesLike(t.database)).includes(t.database), "dropped");
    const ok = await one(whole);
    assert.equal(ok.error, null, "the whole dump restores");
  });
});

describe("Ctrl-C during a long COPY", () => {
  // The cleanup undoes in reverse order: the restore role's undo (registered after the scratch database's) runs
  // first, while the role still owns the database, so the database's undo drops the role after the database.
  test("exit 130: no scratch database and no restore role left behind", async () => {
    const d = folder("interrupt");
    const db = `seq_guard_rp_int_${uniq()}`;
    made.add(db);
    const rowsN = 30_000;
    // Each row takes a millisecond in a trigger: the COPY lasts half a minute.
    const file = write(
      join(d, "rp-slow.sql"),
      `CREATE TABLE s (id int);\nCREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$;\nCREATE TRIGGER slow BEFORE INSERT ON s FOR EACH ROW EXECUTE FUNCTION slow();\nCOPY s (id) FROM stdin;\n${Array.from({ length: rowsN }, (_, i) => i).join("\n")}\n\\.\n`,
    );
    let role: string | null = null;
    let sentAt = 0;
    const r = await sg(
      ["check", "--database-url", adminUrl(), "--restore-database", db, file],
      {},
      {
        timeoutMs: 90_000,
        onStart: (child) => {
          const poll = setInterval(async () => {
            if (sentAt > 0) return;
            const active = await admin<{ u: string }>(
              "SELECT usename AS u FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND query LIKE 'COPY%'",
              [db],
            ).catch(() => []);
            if (active.length === 0 || sentAt > 0) return;
            role = active[0]?.u ?? null;
            sentAt = Date.now();
            clearInterval(poll);
            setTimeout(() => child.kill("SIGINT"), 500);
          }, 100);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    assert.ok(sentAt > 0, `the COPY got under way: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /left behind/, r.stderr);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted: cleaning up/);
    assert.match(role ?? "", /^seq_guard_restore_/, "the COPY ran as the restore role");
    assert.deepEqual(await databasesLike(db), [], "no scratch database");
    assert.deepEqual(await admin("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]), [], "no restore role");
    assert.deepEqual(
      await admin("SELECT pid FROM pg_stat_activity WHERE usename = $1", [role]),
      [],
      "and no session of it",
    );
  });
});

// The restore pipeline's pure parts: format detection from content (random bytes included), the archive header,
// the choice of pg_restore and its message, the plain SQL filter, the hints, and how tools get the connection.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import fc from "fast-check";
import { UsageError } from "../src/core/errors.ts";
import { parseDatabaseUrl } from "../src/db/connection.ts";
import { leftBehind, onCleanup, runCleanups, stillToUndo } from "../src/process/cleanup.ts";
import { checkRestoreArgs, fileValues, plainSingleTransaction, type ToolUse } from "../src/restore/args.ts";
import {
  type ClientTool,
  chooseRestore,
  maxArchiveMinor,
  minMajorForArchive,
  noReaderMessage,
  parseToolVersion,
} from "../src/restore/clients.ts";
import {
  type ArchiveHeader,
  checkTarArchive,
  detectFormat,
  looksLikeText,
  parseArchiveHeader,
} from "../src/restore/detect.ts";
import {
  archiveHints,
  archiveListStats,
  plainHints,
  plainNotes,
  selectionArgs,
} from "../src/restore/hints.ts";
import { type PlainEvent, PlainSqlProblem, SqlScript } from "../src/restore/plain.ts";
import {
  explainArchiveFailure,
  libpqTarget,
  passedOver,
  pgRestoreErrors,
  scratchName,
  sslpasswordProblem,
} from "../src/restore/restore.ts";
import { seqReport } from "./report-fixtures.ts";

/** A header as pg_dump 15 writes it (format 1.14), for a custom (1) or tar (3) archive. */
function header15(formatCode = 1, dumpVersion = "15.18 (Debian 15.18-0+deb12u1)", minor = 14): Buffer {
  const int = (v: number) =>
    Buffer.from([v < 0 ? 1 : 0, ...[0, 1, 2, 3].map((i) => (Math.abs(v) >> (8 * i)) & 0xff)]);
  const str = (s: string) => Buffer.concat([int(Buffer.byteLength(s)), Buffer.from(s)]);
  return Buffer.concat([
    Buffer.from("PGDMP"),
    Buffer.from([1, minor, 0, 4, 8, formatCode]),
    minor >= 15 ? Buffer.from([0]) : int(-1),
    ...[0, 30, 12, 25, 10, 126, 0].map(int),
    str("shop"),
    str("15.18"),
    str(dumpVersion),
    Buffer.alloc(64),
  ]);
}

function tarOf(name: string, content: Buffer): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, "utf8");
  h.write("ustar\u000000", 257, "latin1");
  return Buffer.concat([h, content]);
}

describe("archive header", () => {
  test("reads version, format and the pg_dump that wrote it", () => {
    const r = parseArchiveHeader(header15());
    assert.ok(r.ok);
    assert.deepEqual(r.header.version, [1, 14, 0]);
    assert.equal(r.header.versionText, "1.14");
    assert.equal(r.header.formatCode, 1);
    assert.equal(r.header.database, "shop");
    assert.equal(r.header.serverVersion, "15.18");
    assert.equal(r.header.dumpVersion, "15.18 (Debian 15.18-0+deb12u1)");
  });

  test("reads the 1.15+ layout (compression as one byte)", () => {
    const r = parseArchiveHeader(header15(1, "17.2", 16));
    assert.ok(r.ok);
    assert.equal(r.header.versionText, "1.16");
    assert.equal(r.header.dumpVersion, "17.2");
  });

  test("a future format is recognised without guessing what follows", () => {
    const b = header15();
    b[6] = 40;
    const r = parseArchiveHeader(b);
    assert.ok(r.ok);
    assert.equal(r.header.versionText, "1.40");
    assert.equal(r.header.dumpVersion, null);
  });

  test("corrupt or cut headers are told apart from archives", () => {
    const major = header15();
    major[5] = 7;
    assert.match((parseArchiveHeader(major) as { problem: string }).problem, /format version 7\.14/);
    const fmt = header15();
    fmt[10] = 9;
    assert.match((parseArchiveHeader(fmt) as { problem: string }).problem, /format code \(9\)/);
    assert.match(
      (parseArchiveHeader(header15().subarray(0, 20)) as { problem: string }).problem,
      /ends inside/,
    );
  });
});

describe("archive header: what pg_dump never writes", () => {
  test("a revision other than 0 (pg_restore accepts it, then may crash) is a corrupt header", () => {
    const b = header15();
    b[7] = 200;
    assert.match(
      (parseArchiveHeader(b) as { problem: string }).problem,
      /its format revision \(1\.14\.200\) is not one pg_dump writes \(format 1\.14 always has revision 0\)/,
    );
  });

  test("an absurd string length has its own reason; a cut header says it is truncated", () => {
    const b = header15();
    // The database name's length: sign byte, then 4 bytes; after magic, version, sizes, format, compression
    // and the 7 date ints.
    const at = 5 + 3 + 3 + 5 + 7 * 5;
    b.writeUInt32LE(1_000_000, at + 1);
    assert.match(
      (parseArchiveHeader(b) as { problem: string }).problem,
      /a length in it \(1000000 bytes at offset 51\) is absurd/,
    );
    assert.match(
      (parseArchiveHeader(header15().subarray(0, 20)) as { problem: string }).problem,
      /the file ends inside its header \(after 20 bytes\): it is truncated/,
    );
  });
});

/** A tar file as pg_dump writes one: ustar headers with their checksums, data padded to 512, two zero blocks. */
function tarFile(members: [string, number][], opts: { base256?: boolean } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const [name, size] of members) {
    const h = Buffer.alloc(512);
    h.write(name, 0, "utf8");
    h.write("0000600\0", 100, "latin1");
    if (opts.base256) {
      h[124] = 0x80;
      h.writeUIntBE(size, 124 + 12 - 6, 6);
    } else h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "latin1");
    h.write("0", 156, "latin1");
    h.write("ustar\u000000", 257, "latin1");
    h.fill(0x20, 148, 156);
    let sum = 0;
    for (const c of h) sum += c;
    h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "latin1");
    parts.push(h, Buffer.alloc(Math.ceil(size / 512) * 512, 0x41));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

describe("tar archives are walked header to header", () => {
  const walk = (b: Buffer) =>
    checkTarArchive((pos, len) => b.subarray(pos, Math.min(pos + len, b.length)), b.length);
  const whole = tarFile([
    ["toc.dat", 700],
    ["3268.dat", 5000],
    ["restore.sql", 20],
  ]);

  test("a whole archive passes, whatever its sizes (base-256 ones too)", () => {
    assert.equal(walk(whole), null);
    assert.equal(walk(tarFile([["toc.dat", 0]])), null);
    assert.equal(walk(tarFile([["toc.dat", 513]], { base256: true })), null);
    // tar may pad a file beyond its end blocks
    assert.equal(walk(Buffer.concat([whole, Buffer.alloc(8192)])), null);
  });

  test("cut anywhere, it is called truncated, naming where", () => {
    for (let cut = 512; cut < whole.length; cut += 397) {
      const problem = walk(whole.subarray(0, cut));
      assert.ok(problem, `cut at ${cut}`);
      assert.match(
        problem,
        /^the tar archive is truncated: .*Make the dump again with pg_dump -Ft/,
        `cut at ${cut}`,
      );
    }
    assert.match(
      walk(whole.subarray(0, 3000)) ?? "",
      /its member "3268\.dat" \(5000 bytes, at offset 1536\) runs past the end of the file \(3000 bytes\)/,
    );
    assert.match(
      walk(whole.subarray(0, whole.length - 1024)) ?? "",
      /ends after its member "restore\.sql" without the two zero blocks/,
    );
    assert.match(walk(whole.subarray(0, whole.length - 100)) ?? "", /ends inside the two zero blocks/);
  });

  test("a damaged header is called corrupt", () => {
    const b = Buffer.from(whole);
    b[1536 + 130] = 0x39; // a digit of 3268.dat's size: the checksum no longer matches
    assert.match(
      walk(b) ?? "",
      /the tar archive is corrupt: the block at offset 1536 \(after member "toc\.dat"\) is not a valid tar header/,
    );
    const garbage = Buffer.from(whole);
    garbage.fill(0x55, 1536, 2048);
    assert.match(walk(garbage) ?? "", /is not a valid tar header/);
  });

  test("random bytes after a valid first header never crash the walk", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4096 }), (bytes) => {
        const b = Buffer.concat([whole.subarray(0, 1536), Buffer.from(bytes)]);
        const problem = walk(b);
        if (problem !== null) assert.match(problem, /^the tar archive (is truncated|is corrupt|could not)/);
      }),
      { numRuns: 500 },
    );
  });
});

describe("format detection from content", () => {
  test("custom, tar, directory, plain and gzip plain", () => {
    assert.equal(
      (detectFormat({ isDirectory: false, head: header15() }) as { format: string }).format,
      "custom",
    );
    const tar = tarOf("toc.dat", header15(3));
    assert.equal((detectFormat({ isDirectory: false, head: tar }) as { format: string }).format, "tar");
    assert.equal(
      (detectFormat({ isDirectory: true, head: header15(3) }) as { format: string }).format,
      "directory",
    );
    const sql = Buffer.from(
      "--\n-- PostgreSQL database dump\n--\nSET client_encoding = 'LATIN1';\nSELECT 1;\n",
    );
    const plain = detectFormat({ isDirectory: false, head: sql });
    assert.deepEqual(plain, { ok: true, format: "plain", encoding: "LATIN1" });
    const gz = zlib.gzipSync(sql);
    const g = detectFormat({ isDirectory: false, head: gz, gunzipped: zlib.gunzipSync(gz) });
    assert.deepEqual(g, { ok: true, format: "plain-gzip", encoding: "LATIN1" });
  });

  test("never from the name: what is not a dump says what it is", () => {
    const cases: [Parameters<typeof detectFormat>[0], RegExp][] = [
      [{ isDirectory: false, head: Buffer.alloc(0) }, /empty/],
      [{ isDirectory: true, head: null }, /without a toc\.dat/],
      [{ isDirectory: false, head: Buffer.from([0, 1, 2, 3, 200, 0, 7]) }, /binary data/],
      [{ isDirectory: false, head: tarOf("backup/toc.dat", Buffer.alloc(600)) }, /not a pg_dump tar archive/],
      [{ isDirectory: false, head: Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2]) }, /zstd-compressed.*zstd -d/],
      [{ isDirectory: false, head: header15(3) }, /toc\.dat\) of a directory or tar archive/],
      [
        { isDirectory: false, head: Buffer.from([0x1f, 0x8b, 8, 0]), gunzipped: header15() },
        /gzip-compressed pg_dump archive/,
      ],
      [{ isDirectory: false, head: Buffer.from([0x1f, 0x8b, 8, 0]), gunzipped: null }, /corrupt/],
    ];
    for (const [sample, re] of cases) {
      const d = detectFormat(sample);
      assert.equal(d.ok, false, `${re}`);
      assert.match((d as { problem: string }).problem, re);
    }
  });

  test("random bytes never crash detection, and only a PGDMP or ustar start makes an archive", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2048 }), fc.boolean(), (bytes, gz) => {
        const head = gz ? Buffer.concat([Buffer.from([0x1f, 0x8b]), bytes]) : Buffer.from(bytes);
        const d = detectFormat({ isDirectory: false, head, gunzipped: gz ? Buffer.from(bytes) : null });
        if (d.ok && (d.format === "custom" || d.format === "tar" || d.format === "directory")) {
          assert.ok(head.subarray(0, 5).toString("latin1") === "PGDMP" || head.length >= 512);
        }
        if (d.ok && d.format === "plain") assert.ok(looksLikeText(head));
        if (!d.ok) assert.ok(d.problem.length > 20);
      }),
      { numRuns: 3000 },
    );
  });

  test("random bytes after a PGDMP magic: a clear verdict either way", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (bytes) => {
        const d = detectFormat({ isDirectory: false, head: Buffer.concat([Buffer.from("PGDMP"), bytes]) });
        if (!d.ok) assert.match(d.problem, /header is corrupt|toc\.dat/);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("choosing pg_restore", () => {
  const tool = (major: number, version = `${major}.3`): ClientTool => ({
    path: `/usr/lib/postgresql/${major}/bin/pg_restore`,
    version,
    major,
  });
  const hdr = (minor: number, dumpVersion: string | null): ArchiveHeader => ({
    version: [1, minor, 0],
    versionText: `1.${minor}`,
    intSize: 4,
    offSize: 8,
    formatCode: 1,
    database: "shop",
    serverVersion: dumpVersion,
    dumpVersion,
  });

  test("format versions and the releases that read them", () => {
    assert.equal(maxArchiveMinor(15), 14);
    assert.equal(maxArchiveMinor(16), 15);
    assert.equal(maxArchiveMinor(17), 16);
    assert.equal(minMajorForArchive(14), 12);
    assert.equal(minMajorForArchive(16), 17);
    assert.equal(minMajorForArchive(17), 19);
    assert.deepEqual(parseToolVersion("pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"), {
      version: "15.18 (Debian 15.18-0+deb12u1)",
      major: 15,
    });
    assert.deepEqual(parseToolVersion("pg_restore (PostgreSQL) 9.6.24"), { version: "9.6.24", major: 9.6 });
  });

  test("prefers the server's own major version among those that read the archive, else the newest", () => {
    const tools = [tool(14), tool(15), tool(17)];
    assert.equal(chooseRestore(tools, hdr(14, "15.2"), 15)?.tool.major, 15);
    assert.equal(chooseRestore(tools, hdr(14, "15.2"), 16)?.tool.major, 17);
    assert.equal(chooseRestore(tools, hdr(16, "17.1"), 15)?.tool.major, 17);
    assert.equal(chooseRestore([tool(15)], hdr(16, "17.1"), 15), null);
  });

  test("the message names both versions and the remedy", () => {
    const msg = noReaderMessage("nightly.dump", hdr(16, "17.2"), [tool(15, "15.18"), tool(14)]);
    assert.match(msg, /format 1\.16 \(written by pg_dump 17\.2\)/);
    assert.match(msg, /needs pg_restore 17 or newer/);
    assert.match(msg, /newest pg_restore found is 15\.18 .*reads archive formats up to 1\.14/);
    assert.match(msg, /postgresql-client-17/);
    assert.match(msg, /--restore-via docker:CONTAINER/);
    assert.match(noReaderMessage("x", hdr(30, null), [tool(15)]), /newer than any PostgreSQL release/);
  });
});

/** A script read as run-plain.ts reads it, in chunks: the statements it sends (blank ones not), and its COPY data. */
async function filtered(
  input: string | Buffer,
  chunk = 7,
): Promise<{ stmts: string[]; data: string; events: PlainEvent[]; f: SqlScript }> {
  const f = new SqlScript(
    { noOwner: true, noPrivileges: true },
    { file: null, display: null, depth: 0, order: { n: 0 } },
  );
  const b = Buffer.from(input);
  const events: PlainEvent[] = [];
  const take = () => {
    for (;;) {
      events.push(...f.take());
      if (!f.paused) return;
      f.resume();
    }
  };
  for (let i = 0; i < b.length; i += chunk) {
    f.feed(b.subarray(i, i + chunk));
    take();
  }
  f.end();
  take();
  const stmts: string[] = [];
  let text = "";
  let data = "";
  for (const e of events) {
    if (e.k === "sql") text += e.buf.toString("utf8");
    else if (e.k === "end") {
      if (!e.blank) stmts.push(text);
      text = "";
    } else if (e.k === "data") data += e.buf.toString("utf8");
    else if (e.k === "copyEnd") data += "<end>";
  }
  return { stmts, data, events, f };
}

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

describe("hints", () => {
  const list = `;\n; Archive created at 2026-01-01\n;\n3490; 0 16386 TABLE DATA public users postgres\n3491; 0 16390 TABLE DATA Weird Schema Order Items postgres\n3550; 0 0 SEQUENCE SET public users_id_seq postgres\n`;
  const users = seqReport("public.users_id_seq", "behind");
  const orders = seqReport("public.orders_id_seq", "behind", {
    columns: [{ table: "public.orders", column: "id", type: "integer", max: "200", min: null }],
  });

  test("counts TABLE DATA and SEQUENCE SET entries, and names the SEQUENCE SET ones", () => {
    assert.deepEqual(archiveListStats(list), {
      tableData: 2,
      sequenceSet: 1,
      sequenceSets: ["public users_id_seq postgres"],
    });
    assert.deepEqual(archiveListStats(list.replace(/.*SEQUENCE SET.*\n/, "")), {
      tableData: 2,
      sequenceSet: 0,
      sequenceSets: [],
    });
  });

  test("an archive with data but no SEQUENCE SET explains behind sequences", () => {
    const none = { tableData: 2, sequenceSet: 0, sequenceSets: [] };
    assert.deepEqual(archiveHints(archiveListStats(list), [users], []), []);
    assert.deepEqual(archiveHints(none, [], []), []);
    assert.match(archiveHints(none, [users], [])[0] ?? "", /no SEQUENCE SET.*--data-only -t/);
    assert.match(
      archiveHints({ ...none, tableData: 1 }, [users], ["-L", "x.list"])[0] ?? "",
      /selected part.*-L x\.list/,
    );
  });

  test("per sequence: one whose SEQUENCE SET is missing among others is named", () => {
    const stats = archiveListStats(list);
    const h = archiveHints(stats, [users, orders], []);
    assert.equal(h.length, 1);
    assert.match(
      h[0] ?? "",
      /no SEQUENCE SET entry for public\.orders_id_seq \(it has 1 SEQUENCE SET entry for other sequences\)/,
    );
    assert.doesNotMatch(h[0] ?? "", /users_id_seq/);
    assert.match(
      archiveHints(stats, [orders], ["-L", "x.list"])[0] ?? "",
      /leaves out the SEQUENCE SET entry of public\.orders_id_seq/,
    );
    // Names with spaces and quotes, as pg_restore -l writes them (unquoted).
    const weird = seqReport('"Weird Schema"."Order Items_id_seq"', "behind");
    const s2 = archiveListStats(`${list}3551; 0 0 SEQUENCE SET Weird Schema Order Items_id_seq postgres\n`);
    assert.deepEqual(archiveHints(s2, [weird], []), []);
  });

  test("selection arguments are picked out of --restore-arg values", () => {
    assert.deepEqual(
      selectionArgs(["--no-comments", "-t", "users", "--table=orders", "-titems", "-j", "4", "-a"]),
      ["-t", "users", "--table=orders", "-titems", "-a"],
    );
  });

  test("a plain script that inserts and never calls setval for a sequence", async () => {
    const { f } = await filtered("INSERT INTO users VALUES (1);\nINSERT INTO users VALUES (2);\n");
    assert.match(
      plainHints([{ path: "fixture.sql", facts: f.facts }], [users])[0] ?? "",
      /fixture\.sql inserts rows \(2 INSERT statements\) and never calls setval for public\.users_id_seq/,
    );
    assert.deepEqual(plainHints([{ path: "f.sql", facts: f.facts }], []), []);
  });

  test("per sequence: a setval for one sequence does not hide the other", async () => {
    const { f } = await filtered(
      "INSERT INTO users VALUES (1);\nINSERT INTO orders VALUES (5);\nSELECT setval('public.users_id_seq', (SELECT max(id) FROM users));\n",
    );
    const h = plainHints([{ path: "partial.sql", facts: f.facts }], [orders]);
    assert.equal(h.length, 1);
    assert.match(h[0] ?? "", /partial\.sql inserts rows .* never calls setval for public\.orders_id_seq/);
    // A computed setval for the behind one: not what the hint claims.
    assert.deepEqual(plainHints([{ path: "partial.sql", facts: f.facts }], [users]), []);
  });

  test("setval(seq, 1, false) after the rows is named as the cause", async () => {
    const { f } = await filtered(
      "-- Dumped by pg_dump version 15.2\nCOPY public.happiness (rank) FROM stdin;\n1\n2\n\\.\n\nSELECT pg_catalog.setval('public.happiness_rank_seq', 1, false);\n",
    );
    const seq = seqReport("public.happiness_rank_seq", "behind", {
      columns: [{ table: "public.happiness", column: "rank", type: "integer", max: "156", min: null }],
      max: "156",
    });
    const h = plainHints([{ path: "happiness.sql", facts: f.facts }], [seq]);
    assert.equal(h.length, 1);
    assert.match(
      h[0] ?? "",
      /^happiness\.sql:7: setval\('public\.happiness_rank_seq', 1, false\) restores public\.happiness_rank_seq where it stood in the database pg_dump dumped \(next value 1\), though public\.happiness\.rank holds values up to 156: it was already behind there, its rows loaded with explicit ids \(setval\(seq, 1, false\) is what pg_dump writes for a sequence never used\)/,
    );
    // A fixed value that is too low.
    const { f: g } = await filtered("INSERT INTO users VALUES (1);\nSELECT setval('users_id_seq', 50);\n");
    const at51 = seqReport("public.users_id_seq", "behind", { next_value: "51" });
    assert.match(
      plainHints([{ path: "g.sql", facts: g.facts }], [at51])[0] ?? "",
      /^g\.sql:2: setval\('users_id_seq', 50\) sets public\.users_id_seq to hand out 51 next, though public\.users\.id holds values up to 200/,
    );
    // The setval did not leave it where it stands (something moved it later): no claim.
    assert.deepEqual(plainHints([{ path: "g.sql", facts: g.facts }], [users]), []);
  });

  test("TRUNCATE ... RESTART IDENTITY and pg_get_serial_sequence are followed to their sequence", async () => {
    const { f } = await filtered(
      "TRUNCATE public.users RESTART IDENTITY;\nCOPY public.users (id) FROM stdin;\n7\n\\.\n",
    );
    assert.match(
      plainHints([{ path: "reload.sql", facts: f.facts }], [users])[0] ?? "",
      /^reload\.sql:1: TRUNCATE public\.users \.\.\. RESTART IDENTITY puts public\.users_id_seq back to its start/,
    );
    const { f: g } = await filtered(
      "INSERT INTO users VALUES (1);\nSELECT setval(pg_get_serial_sequence('users', 'id'), 1, false);\n",
    );
    assert.match(
      plainHints([{ path: "g.sql", facts: g.facts }], [users])[0] ?? "",
      /^g\.sql:2: setval\(pg_get_serial_sequence/,
    );
  });

  test("a setval seq-guard cannot read (in a function body) keeps it from claiming there is none", async () => {
    const { f } = await filtered(
      "INSERT INTO users VALUES (1);\nDO $$ BEGIN PERFORM setval(s, 1) FROM x; END $$;\n",
    );
    assert.equal(f.facts.opaqueSetvals, 1);
    assert.deepEqual(plainHints([{ path: "f.sql", facts: f.facts }], [users]), []);
  });

  test("a hand-written reset after the rows is named as such", async () => {
    const { f } = await filtered("INSERT INTO users VALUES (1);\nSELECT setval('users_id_seq', 1, false);\n");
    assert.match(
      plainHints([{ path: "r.sql", facts: f.facts }], [users])[0] ?? "",
      /^r\.sql:2: setval\('users_id_seq', 1, false\) puts public\.users_id_seq back to its start \(next value 1\) though public\.users\.id holds values up to 200\. Drop the call/,
    );
  });

  test("several scripts into one database: a later script's setval wins", async () => {
    const { f: schema } = await filtered("CREATE TABLE users (id serial);\n");
    const { f: data } = await filtered(
      "INSERT INTO users VALUES (1);\nSELECT setval('public.users_id_seq', 1, false);\n",
    );
    const h = plainHints(
      [
        { path: "schema.sql", facts: schema.facts },
        { path: "data.sql", facts: data.facts },
      ],
      [users],
    );
    assert.equal(h.length, 1);
    assert.match(h[0] ?? "", /^data\.sql:2: setval/);
  });

  test("role statements left out are reported", async () => {
    const { f } = await filtered(
      "CREATE USER pgexercises WITH PASSWORD '';\nALTER USER pgexercises SET statement_timeout = 750;\n",
    );
    assert.match(
      plainNotes(f.facts, "clubdata.sql")[0] ?? "",
      /^clubdata\.sql: left out 2 role or tablespace statements \(CREATE USER pgexercises, ALTER USER pgexercises\): roles and tablespaces belong to the whole server/,
    );
    assert.deepEqual(plainNotes((await filtered("SELECT 1;\n")).f.facts, "x.sql"), []);
  });
});

describe("tools and their output", () => {
  test("the password goes to the environment, never into the --dbname argument", () => {
    const c = parseDatabaseUrl(
      "postgres://app:s%40cret@db.example:6543/prod?sslmode=require&ssl=true&application_name=x&foo=1",
      "--database-url",
    );
    const t = libpqTarget(c, "seq_guard_it's");
    assert.ok(!t.dbname.includes("cret"));
    assert.equal(t.env.PGPASSWORD, "s@cret");
    assert.match(t.dbname, /^postgres:\/\/app@db\.example:6543\/seq_guard_it's\?/);
    assert.match(t.dbname, /sslmode=require/);
    assert.ok(!t.dbname.includes("foo="));
    const pgVars = libpqTarget({ config: {}, label: "x", secrets: [], source: "PG* variables" }, "a'b\\c");
    assert.equal(pgVars.dbname, "dbname='a\\'b\\\\c'");
  });

  test("sslpassword leaves the --dbname argument; a connection service of the user's own cannot carry ours", () => {
    const c = parseDatabaseUrl(
      "postgres://app:pw@db.example/prod?sslmode=verify-full&sslkey=%2Fk.pem&sslpassword=k%20ey%26pass",
      "--database-url",
    );
    const t = libpqTarget(c, "seq_guard_x");
    assert.equal(t.sslpassword, "k ey&pass");
    assert.ok(!t.dbname.includes("sslpassword") && !t.dbname.includes("pass"), t.dbname);
    assert.match(t.dbname, /sslkey=%2Fk\.pem/);
    assert.equal(sslpasswordProblem(c, {}), null);
    assert.match(
      sslpasswordProblem(c, { PGSERVICE: "prod" }) ?? "",
      /cannot be combined with a connection service \(PGSERVICE\).*service prod in pg_service\.conf/,
    );
    const withService = parseDatabaseUrl("postgres://app@db/prod?service=x&sslpassword=p", "--database-url");
    assert.match(sslpasswordProblem(withService, {}) ?? "", /\(service=\)/);
    const trailing = parseDatabaseUrl("postgres://app@db/prod?sslpassword=p%20", "--database-url");
    assert.match(sslpasswordProblem(trailing, {}) ?? "", /ends in a blank/);
    assert.equal(libpqTarget(parseDatabaseUrl("postgres://a@h/d", "--database-url"), "x").sslpassword, null);
  });

  test("scratch names come from the file name", () => {
    assert.equal(scratchName("/x/nightly-2026.01.02.dump"), "seq_guard_nightly_2026_01_02");
    assert.equal(scratchName("fixtures/Ünïcode Shop.sql.gz"), "seq_guard_unicode_shop");
    assert.equal(scratchName("dumpdir/"), "seq_guard_dumpdir");
    assert.equal(scratchName("-.sql"), "seq_guard_dump");
    assert.ok(scratchName(`${"x".repeat(100)}.sql`).length <= 50);
  });

  test("errors are read out of pg_restore", () => {
    assert.deepEqual(
      pgRestoreErrors(
        'pg_restore: error: could not execute query: ERROR:  role "x" does not exist\nCommand was: ALTER TABLE t OWNER TO x;\n',
      ),
      ['could not execute query: ERROR: role "x" does not exist (while running: ALTER TABLE t OWNER TO x;)'],
    );
  });
});

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
        assert.match(err.message, message);
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
      const text = explainArchiveFailure(pgRestoreErrors(stderr), stderr, header.header, "15.18");
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

  test("errors passed over are listed one by one, up to 20", () => {
    assert.deepEqual(passedOver("seq-guard", ["f.sql:5: ERROR: a", "f.sql:8: ERROR: b"], 2), [
      "seq-guard passed over error 1 of 2 (--on-restore-error continue): f.sql:5: ERROR: a",
      "seq-guard passed over error 2 of 2 (--on-restore-error continue): f.sql:8: ERROR: b",
    ]);
    const many = Array.from({ length: 25 }, (_, i) => `e${i}`);
    const notes = passedOver("pg_restore", many, 25);
    assert.equal(notes.length, 21);
    assert.match(notes[20] ?? "", /^pg_restore passed over 5 more error\(s\)/);
    assert.deepEqual(passedOver("seq-guard", [], 0), []);
  });
});

describe("cleanup", () => {
  test("what is still being undone, and what an abandoned cleanup leaves behind", async () => {
    let release: () => void = () => undefined;
    const order: string[] = [];
    onCleanup(
      "stop the embedded PostgreSQL",
      () => order.push("server"),
      () => "the data dir /tmp/x",
    );
    onCleanup(
      "drop database seq_guard_a",
      () =>
        new Promise<void>((resolve) => {
          order.push("drop");
          release = resolve;
        }),
      () => "database seq_guard_a on h:5432 (DROP DATABASE seq_guard_a)",
    );
    const gone = onCleanup("stop psql", () => order.push("psql"));
    gone();
    onCleanup("stop pg_restore", () => order.push("pg_restore"));
    const running = runCleanups(5_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(order, ["pg_restore", "drop"], "newest first; an unregistered one never runs");
    assert.equal(stillToUndo(), "dropping database seq_guard_a, stopping the embedded PostgreSQL");
    assert.deepEqual(leftBehind(), [
      "database seq_guard_a on h:5432 (DROP DATABASE seq_guard_a)",
      "the data dir /tmp/x",
    ]);
    release();
    await running;
    assert.deepEqual(order, ["pg_restore", "drop", "server"]);
    assert.deepEqual(leftBehind(), []);
    assert.equal(stillToUndo(), "finishing");
  });
});

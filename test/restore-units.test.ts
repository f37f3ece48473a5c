// The restore pipeline's pure parts: format detection from content (random bytes included), the archive header,
// the choice of pg_restore and its message, the plain SQL filter, the hints, and how tools get the connection.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { describe, test } from "node:test";
import zlib from "node:zlib";
import fc from "fast-check";
import { parseDatabaseUrl } from "../src/connection.ts";
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
  detectFormat,
  looksLikeText,
  parseArchiveHeader,
} from "../src/restore/detect.ts";
import { archiveHints, archiveListStats, plainHints, selectionArgs } from "../src/restore/hints.ts";
import { PlainSqlFilter, PlainSqlProblem } from "../src/restore/plain.ts";
import { libpqTarget, pgRestoreErrors, psqlErrors, scratchName } from "../src/restore/restore.ts";

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

async function filtered(input: string | Buffer, chunk = 7): Promise<{ out: string; f: PlainSqlFilter }> {
  const f = new PlainSqlFilter({ noOwner: true, noPrivileges: true });
  const b = Buffer.from(input);
  const parts: Buffer[] = [];
  for (let i = 0; i < b.length; i += chunk) parts.push(b.subarray(i, i + chunk));
  const out = await buffer(Readable.from(parts).pipe(f));
  return { out: out.toString("utf8"), f };
}

describe("plain SQL filter", () => {
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

  test("blanks ownership and privilege statements only at the top level, keeping every line in place", async () => {
    const { out, f } = await filtered(script);
    const inLines = script.split("\n");
    const outLines = out.split("\n");
    assert.equal(outLines.length, inLines.length, "same number of lines");
    const blanked = inLines.map((l, i) => (outLines[i] === l ? null : i + 1)).filter((x) => x !== null);
    assert.deepEqual(blanked, [4, 12, 16]);
    assert.equal(outLines[3], "");
    assert.equal(f.facts.skippedOwner, 1);
    assert.equal(f.facts.skippedPrivileges, 2);
    assert.equal(f.facts.copies, 1);
    assert.equal(f.facts.inserts, 1);
    assert.equal(f.facts.setvals, 0);
  });

  test("the same whatever the chunk boundaries, CRLF included", async () => {
    const crlf = script.replace(/\n/g, "\r\n");
    for (const chunk of [1, 3, 64, 100000]) {
      const { out } = await filtered(crlf, chunk);
      assert.equal(out.split("\r\n").length, crlf.split("\r\n").length);
      assert.ok(!out.includes("OWNER TO app_owner"));
      assert.ok(out.includes("2\tALTER TABLE t OWNER TO y;"));
    }
  });

  test("setval and ALTER SEQUENCE RESTART are noted; a --create dump stays in the scratch database", async () => {
    const { out, f } = await filtered(
      "CREATE DATABASE shop WITH TEMPLATE = template0 ENCODING = 'UTF8';\nALTER DATABASE shop OWNER TO x;\n\\connect shop\nSELECT pg_catalog.setval('public.t_id_seq', 3, true);\nALTER SEQUENCE s\n  RESTART WITH 5;\n",
    );
    assert.equal(
      out,
      "\n\n\nSELECT pg_catalog.setval('public.t_id_seq', 3, true);\nALTER SEQUENCE s\n  RESTART WITH 5;\n",
    );
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

  test("arbitrary text passes through unchanged when nothing is to be blanked", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 400 }), async (s) => {
        const text = s.replace(/^\s*(ALTER|GRANT|REVOKE|SET|CREATE|DROP|COMMENT|\\c)/gim, "x");
        const { out } = await filtered(text, 5);
        assert.equal(out, text);
      }),
      { numRuns: 300 },
    );
  });
});

describe("hints", () => {
  const list = `;\n; Archive created at 2026-01-01\n;\n3490; 0 16386 TABLE DATA public users postgres\n3491; 0 16390 TABLE DATA Weird Schema Order Items postgres\n3550; 0 0 SEQUENCE SET public users_id_seq postgres\n`;

  test("counts TABLE DATA and SEQUENCE SET entries", () => {
    assert.deepEqual(archiveListStats(list), { tableData: 2, sequenceSet: 1 });
    assert.deepEqual(archiveListStats(list.replace(/.*SEQUENCE SET.*\n/, "")), {
      tableData: 2,
      sequenceSet: 0,
    });
  });

  test("an archive with data but no SEQUENCE SET explains behind sequences", () => {
    assert.deepEqual(archiveHints({ tableData: 2, sequenceSet: 1 }, 3, []), []);
    assert.deepEqual(archiveHints({ tableData: 2, sequenceSet: 0 }, 0, []), []);
    assert.match(
      archiveHints({ tableData: 2, sequenceSet: 0 }, 1, [])[0] ?? "",
      /no SEQUENCE SET.*--data-only -t/,
    );
    assert.match(
      archiveHints({ tableData: 1, sequenceSet: 0 }, 1, ["-L", "x.list"])[0] ?? "",
      /selected part.*-L x\.list/,
    );
  });

  test("selection arguments are picked out of --restore-arg values", () => {
    assert.deepEqual(
      selectionArgs(["--no-comments", "-t", "users", "--table=orders", "-titems", "-j", "4", "-a"]),
      ["-t", "users", "--table=orders", "-titems", "-a"],
    );
  });

  test("a plain script that inserts and never calls setval", () => {
    const facts = {
      lines: 9,
      inserts: 2,
      copies: 0,
      setvals: 0,
      skippedOwner: 0,
      skippedPrivileges: 0,
      skippedDatabase: 0,
    };
    assert.match(
      plainHints(facts, 1, "fixture.sql")[0] ?? "",
      /fixture\.sql inserts rows \(2 INSERT statements\) and never calls setval/,
    );
    assert.deepEqual(plainHints({ ...facts, setvals: 1 }, 1, "f.sql"), []);
    assert.deepEqual(plainHints(facts, 0, "f.sql"), []);
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

  test("scratch names come from the file name", () => {
    assert.equal(scratchName("/x/nightly-2026.01.02.dump"), "seq_guard_nightly_2026_01_02");
    assert.equal(scratchName("fixtures/Ünïcode Shop.sql.gz"), "seq_guard_unicode_shop");
    assert.equal(scratchName("dumpdir/"), "seq_guard_dumpdir");
    assert.equal(scratchName("-.sql"), "seq_guard_dump");
    assert.ok(scratchName(`${"x".repeat(100)}.sql`).length <= 50);
  });

  test("errors are read out of psql and pg_restore", () => {
    assert.deepEqual(
      psqlErrors(
        'psql:<stdin>:12: ERROR:  relation "nope" does not exist\nLINE 1: SELECT * FROM nope;\n                      ^\n',
        "f.sql",
      ),
      ['f.sql:12: ERROR: relation "nope" does not exist'],
    );
    assert.deepEqual(
      pgRestoreErrors(
        'pg_restore: error: could not execute query: ERROR:  role "x" does not exist\nCommand was: ALTER TABLE t OWNER TO x;\n',
      ),
      ['could not execute query: ERROR: role "x" does not exist (while running: ALTER TABLE t OWNER TO x;)'],
    );
  });
});

// The table of contents of pg_dump archives (src/restore/toc.ts) and the check that a directory archive names no
// file outside its folder (detect.ts, checkDumpPath): real archives from pg_dump 15 (format 1.14) with and
// without compression and with large objects, archives written here in formats 1.12 to 1.16 (the layouts
// pg_dump 9.1 to 18 write; 1.12 to 1.14 also read back by the real pg_restore), every truncation, hostile length
// fields, and a toc.dat or large-object list rewritten to name a secret file outside the folder, run through the
// built CLI and the built Action: the secret shows nowhere and the dump is refused (exit 2) before pg_restore runs.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import { UsageError } from "../src/core/errors.ts";
import { checkDumpPath, inspectDump } from "../src/restore/detect.ts";
import {
  checkDataFileName,
  checkLoToc,
  loTocNames,
  MAX_TOC_BYTES,
  parseToc,
  type Toc,
  type TocEntry,
} from "../src/restore/toc.ts";
import { FakeGitHub, runAction } from "./fake-github.ts";
import { pgTool } from "./fixtures/restore/util.ts";
import { adminUrl, runCli, type ScratchDb, scratchDb } from "./helpers.ts";
import { assertSecretNowhere, tempDir } from "./hostile-helpers.ts";

const B = (s: string) => Buffer.from(s, "latin1");
const name = (e: TocEntry) => (e.fileName ? Buffer.from(e.fileName).toString("latin1") : null);

/** pg_restore's own listing of an archive: one [dumpId, desc, tag] per entry ("3350; 0 16390 TABLE DATA public t owner"). */
function pgRestoreList(archive: string): string[] {
  const out = execFileSync("pg_restore", ["-l", archive], { encoding: "utf8" });
  return out
    .split("\n")
    .filter((l) => /^\d+;/.test(l))
    .map((l) => l.replace(/^(\d+); \d+ \d+ /, "$1 ").replace(/ \S+$/, ""));
}

/**
 * Our parse has the entries pg_restore -l lists, with the same IDs and types (it lists them in restore order, and
 * leaves out the entries it applies itself, ENCODING, STDSTRINGS and SEARCHPATH, and DATABASE without --create).
 */
function assertListedAlike(toc: Toc, archive: string): void {
  const listed = pgRestoreList(archive);
  const ours = new Map(toc.entries.map((e) => [e.dumpId, e]));
  for (const line of listed) {
    const e = ours.get(Number(line.split(" ")[0]));
    assert.ok(e && line.startsWith(`${e.dumpId} ${e.desc} `), `${line} vs ${e?.dumpId} ${e?.desc}`);
  }
  const unlisted = toc.entries.filter((e) => !listed.some((l) => l.startsWith(`${e.dumpId} `)));
  assert.deepEqual(unlisted.map((e) => e.desc).sort(), ["DATABASE", "ENCODING", "SEARCHPATH", "STDSTRINGS"]);
  assert.equal(toc.entries.length, listed.length + 4);
}

/** A copy of `toc` with entry `e`'s file name replaced (its length prefix rewritten, in the archive's int size). */
function rewriteName(b: Buffer, toc: Toc, e: TocEntry, to: string): Buffer {
  const old = e.fileName?.length ?? 0;
  const newName = Buffer.from(to, "utf8");
  const len = Buffer.alloc(1 + toc.intSize);
  len.writeUInt32LE(newName.length, 1);
  return Buffer.concat([
    b.subarray(0, e.fileNameAt),
    len,
    newName,
    b.subarray(e.fileNameAt + 1 + toc.intSize + old),
  ]);
}

// ---- A writer of tables of contents, after WriteHead and WriteToc in pg_backup_archiver.c -------------------------

interface Entry {
  id: number;
  hadDumper?: boolean;
  tag: string;
  desc: string;
  section: number;
  defn?: string;
  copyStmt?: string;
  namespace?: string;
  deps?: number[];
  file: string | null;
}

/** A toc.dat in format 1.`minor`; with `entryMinor`, its entries laid out as that version lays them out. */
function writeToc(minor: number, entries: Entry[], entryMinor = minor): Buffer {
  const parts: Buffer[] = [];
  const byte = (v: number) => parts.push(Buffer.from([v]));
  const int = (v: number) => {
    const b = Buffer.alloc(5);
    b[0] = v < 0 ? 1 : 0;
    b.writeUInt32LE(Math.abs(v), 1);
    parts.push(b);
  };
  const str = (s: string | null) => {
    if (s === null) return int(-1);
    const b = Buffer.from(s, "utf8");
    int(b.length);
    parts.push(b);
  };
  parts.push(B("PGDMP"));
  byte(1);
  byte(minor);
  byte(0);
  byte(4); // sizeof(int)
  byte(8); // sizeof(pgoff_t)
  byte(3); // archTar, as a directory archive's toc.dat says
  if (minor >= 15)
    byte(0); // compression algorithm: none
  else int(0); // compression level: none
  for (const v of [1, 2, 3, 4, 5, 124, 0]) int(v);
  str("src");
  str("15.0");
  str("15.0");
  int(entries.length);
  for (const e of entries) {
    int(e.id);
    int(e.hadDumper ? 1 : 0);
    str("0");
    str("0");
    str(e.tag);
    str(e.desc);
    int(e.section);
    str(e.defn ?? "");
    str("");
    str(e.copyStmt ?? "");
    str(e.namespace ?? "");
    str("");
    if (entryMinor >= 14) str(""); // tableam
    if (entryMinor >= 16) int(e.desc.startsWith("TABLE") ? 0x72 : 0); // relkind: 'r' for a table, 0 for others
    str("");
    str("false");
    for (const d of e.deps ?? []) str(String(d));
    str(null);
    str(e.file ?? "");
  }
  return Buffer.concat(parts);
}

const MARKER = `marker${randomBytes(6).toString("hex")}`;
const SYNTHETIC: Entry[] = [
  {
    id: 1,
    tag: "ENCODING",
    desc: "ENCODING",
    section: 2,
    defn: "SET client_encoding = 'UTF8';\n",
    file: null,
  },
  {
    id: 2,
    tag: "STDSTRINGS",
    desc: "STDSTRINGS",
    section: 2,
    defn: "SET standard_conforming_strings = 'on';\n",
    file: null,
  },
  {
    id: 3,
    tag: "t",
    desc: "TABLE",
    section: 2,
    namespace: "public",
    defn: "CREATE TABLE public.t (line text);\n",
    file: null,
  },
  {
    id: 4,
    hadDumper: true,
    tag: "t",
    desc: "TABLE DATA",
    section: 3,
    namespace: "public",
    copyStmt: "COPY public.t (line) FROM stdin;\n",
    deps: [3],
    file: "4.dat",
  },
];

// ---- Pure: the parser and the name checks ------------------------------------------------------------------------

describe("toc.ts, pure", () => {
  test("archive formats 1.12 to 1.16, as pg_dump 9.1 to 18 write them: every entry and file name read", () => {
    for (const minor of [12, 13, 14, 15, 16]) {
      const b = writeToc(minor, SYNTHETIC);
      const r = parseToc(b, "directory");
      assert.ok(r.ok, `1.${minor}: ${!r.ok && r.problem}`);
      assert.deepEqual(r.toc.version, [1, minor, 0]);
      assert.equal(r.toc.end, b.length, `1.${minor}: read to its end`);
      assert.deepEqual(
        r.toc.entries.map((e) => [e.dumpId, e.desc, e.tag, name(e)]),
        SYNTHETIC.map((e) => [e.id, e.desc, e.tag, e.file]),
      );
    }
  });

  test("a version's fields matter: entries laid out for one version, read as another, do not pass", () => {
    for (const [written, read] of [
      [16, 14],
      [14, 16],
      [16, 15],
      [13, 14],
      [15, 16],
    ] as const) {
      // (1.14 read as 1.13 is not among them: the missing string shifts the ones after it by one, and the NULL-ended
      // dependency list takes the extra one in, so the file name is still read where it is.)
      const b = writeToc(read, SYNTHETIC, written);
      const r = parseToc(b, "directory");
      const same =
        r.ok &&
        r.toc.end === b.length &&
        r.toc.entries.map(name).join(",") === SYNTHETIC.map((e) => e.file).join(",");
      assert.ok(!same, `1.${written} entries read as 1.${read}: ${r.ok ? "parsed the same" : r.problem}`);
    }
  });

  test("formats outside 1.12 to 1.16, a wrong format code, a bad magic: refused, saying why", () => {
    const cases: [Buffer, RegExp][] = [
      [
        (() => Object.assign(writeToc(16, SYNTHETIC), { 6: 17 }))(),
        /format 1\.17 is not one this reader knows/,
      ],
      [(() => Object.assign(writeToc(14, SYNTHETIC), { 6: 11 }))(), /format 1\.11 is not one/],
      [(() => Object.assign(writeToc(14, SYNTHETIC), { 10: 1 }))(), /format code is 1, not the 3/],
      [(() => Object.assign(writeToc(14, SYNTHETIC), { 0: 0x51 }))(), /does not start with the PGDMP magic/],
      [(() => Object.assign(writeToc(14, SYNTHETIC), { 8: 0 }))(), /integer size \(0\) is not sane/],
    ];
    for (const [b, re] of cases) {
      const r = parseToc(b, "directory");
      assert.ok(!r.ok);
      assert.match(r.problem, re);
    }
  });

  test("every truncation of a TOC is refused as truncated, saying where it ends", () => {
    const b = writeToc(16, SYNTHETIC);
    for (let n = 0; n < b.length; n++) {
      const r = parseToc(b.subarray(0, n), "directory");
      assert.ok(!r.ok, `${n} of ${b.length} bytes parsed as whole`);
      assert.match(r.problem, /^it is (truncated: it ends inside|corrupt: it does not start with)/, `${n}`);
    }
    const r = parseToc(b.subarray(0, b.length - 2), "directory");
    assert.ok(!r.ok);
    assert.match(
      r.problem,
      /ends inside entry 4 of 4 \(ID 4, TABLE DATA\), its data file name \(3 of 4 entries read\)/,
    );
  });

  test("hostile lengths and integers: refused without allocating what they claim", () => {
    const b = writeToc(14, SYNTHETIC);
    const r0 = parseToc(b, "directory");
    assert.ok(r0.ok);
    const e = r0.toc.entries[3] as TocEntry;
    // a file name claiming 2^31-1 bytes
    const huge = Buffer.from(b);
    huge.writeUInt32LE(0x7fffffff, e.fileNameAt + 1);
    const r1 = parseToc(huge, "directory");
    assert.ok(!r1.ok);
    assert.match(
      r1.problem,
      /truncated: .*its length \(2147483647 bytes, at offset \d+\) runs past the end of the file/,
    );
    // 2^31 and above overflow pg_restore's C int: refused rather than guessed
    huge.writeUInt32LE(0x80000005, e.fileNameAt + 1);
    const r2 = parseToc(huge, "directory");
    assert.ok(!r2.ok);
    assert.match(r2.problem, /corrupt: .*does not fit in 32 bits/);
    // an entry count of 2^31-1: read until the bytes run out, no array of that size
    const count = Buffer.from(b);
    const countAt = b.indexOf(B("15.0")) + 4 + 5 + 4; // after the two version strings
    count.writeUInt32LE(0x7fffffff, countAt + 1);
    const r3 = parseToc(count, "directory");
    assert.ok(!r3.ok);
    assert.match(
      r3.problem,
      /truncated: it ends inside entry 5 of 2147483647 \(4 of 2147483647 entries read\)/,
    );
    // a NULL file name (length -1): pg_restore would crash on it
    const nul = Buffer.from(b);
    nul[e.fileNameAt] = 1;
    nul.writeUInt32LE(1, e.fileNameAt + 1);
    const r4 = parseToc(Buffer.concat([nul.subarray(0, e.fileNameAt + 5)]), "directory");
    assert.ok(!r4.ok);
    assert.match(r4.problem, /its data file name: it is NULL/);
    // larger than the cap
    const r5 = parseToc(Buffer.alloc(MAX_TOC_BYTES + 1), "directory");
    assert.ok(!r5.ok);
    assert.match(r5.problem, /more than the 64 MiB/);
  });

  test("data file names: only a plain name in the folder passes", () => {
    for (const ok of ["3350.dat", "blobs.toc", "blobs_12.toc", "blob_16400.dat", "..x", "a.b", "é.dat"]) {
      assert.equal(checkDataFileName(Buffer.from(ok)), null, ok);
    }
    for (const [bad, re] of [
      ["../../etc/passwd", /"\/"/],
      ["/etc/passwd", /"\/"/],
      ["sub/3350.dat", /"\/"/],
      ["..\\..\\secret", /"\\"/],
      [".", /a folder/],
      ["..", /a folder/],
      ["3350.dat\0/x", /"\/"/],
      ["..\0x", /NUL/],
      ["", /empty/],
    ] as const) {
      assert.match(checkDataFileName(Buffer.from(bad)) ?? "passed", re, JSON.stringify(bad));
    }
  });

  test("large-object lists: only '<oid> <plain file name>' lines, as pg_dump writes them", () => {
    assert.equal(checkLoToc(B("16400 blob_16400.dat\n16401 blob_16401.dat\n")), null);
    assert.equal(checkLoToc(B("16400 blob_16400.dat")), null, "no final newline");
    assert.equal(checkLoToc(B("")), null, "no large object");
    for (const [text, re] of [
      ["16400 ../../etc/passwd\n", /line 1 names the file "\.\.\/\.\.\/etc\/passwd", which it holds a "\/"/],
      ["16400 blob_16400.dat\n16401 /etc/passwd\n", /line 2 names the file "\/etc\/passwd"/],
      ["16400 ..\n", /line 1 names the file "\.\.", which it is "\.\."/],
      [`16400 ${"x".repeat(1100)}\n`, /line 1 is 1106 bytes long/],
      ["16400  blob_16400.dat\n", /line 1 is not "<oid> <file name>"/],
      ["16400 blob_16400.dat extra\n", /line 1 is not/],
      ["16400 blob_16400.dat\r\n", /line 1 is not/],
      ["\n16400 blob_16400.dat\n", /line 1 is not/],
      ["oid blob.dat\n", /line 1 is not/],
      ["16400 a\0/../../x\n", /line 1 is not/],
    ] as const) {
      assert.match(checkLoToc(B(text)) ?? "passed", re, JSON.stringify(text.slice(0, 40)));
    }
  });
});

// ---- Real archives, pg_restore, the CLI and the Action -----------------------------------------------------------

describe("directory archives from pg_dump, and ones rewritten to read outside their folder", () => {
  let base: string;
  let db: ScratchDb;
  const dirs: Record<"plain" | "gzip" | "z9", string> = { plain: "", gzip: "", z9: "" };
  let custom: string;
  let secretFile: string;
  const secret = `tocsecret${randomBytes(10).toString("hex")}`;

  before(async () => {
    base = tempDir("sg-toc-");
    mkdirSync(join(base, "outside"));
    mkdirSync(join(base, "fixtures"));
    secretFile = join(base, "outside", "secret.txt");
    // One line, the secret alone: read as COPY data for t (id, line) it is a row with a missing column, and the
    // COPY error would quote it.
    writeFileSync(secretFile, `${secret}\n`);
    db = await scratchDb(`
      CREATE TABLE t (id serial PRIMARY KEY, line text);
      INSERT INTO t (line) SELECT 'row ' || g FROM generate_series(1, 20) g;
      CREATE TABLE u (id bigserial PRIMARY KEY);
      INSERT INTO u DEFAULT VALUES;
      SELECT lo_from_bytea(0, 'first large object'), lo_from_bytea(0, 'second large object');`);
    dirs.plain = join(base, "fixtures", "plain");
    dirs.gzip = join(base, "fixtures", "gzip");
    dirs.z9 = join(base, "fixtures", "z9");
    custom = join(base, "fixtures", "custom.dump");
    await pgTool("pg_dump", ["-Fd", "-Z0", "-f", dirs.plain], db.url);
    await pgTool("pg_dump", ["-Fd", "-f", dirs.gzip], db.url);
    await pgTool("pg_dump", ["-Fd", "-Z9", "-f", dirs.z9], db.url);
    await pgTool("pg_dump", ["-Fc", "-f", custom], db.url);
  });
  after(async () => {
    await db?.drop();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test("pg_dump 15's directory archives (format 1.14), compressed or not, with large objects: read whole", () => {
    for (const [kind, dir] of Object.entries(dirs)) {
      const bytes = readFileSync(join(dir, "toc.dat"));
      const r = parseToc(bytes, "directory");
      assert.ok(r.ok, `${kind}: ${!r.ok && r.problem}`);
      assert.deepEqual(r.toc.version, [1, 14, 0]);
      assert.equal(r.toc.end, bytes.length, `${kind}: parsed to its end`);
      // the same entries, in the same order, as pg_restore -l lists
      assertListedAlike(r.toc, dir);
      const files = readdirSync(dir);
      const data = r.toc.entries.filter((e) => e.desc === "TABLE DATA");
      assert.equal(data.length, 2, `${kind}: t and u`);
      for (const e of r.toc.entries) {
        if (e.fileName === null) continue;
        assert.equal(checkDataFileName(e.fileName), null);
        const n = name(e) as string;
        assert.match(n, e.desc === "BLOBS" ? /^blobs\.toc$/ : /^\d+\.dat$/);
        const suffix = kind === "plain" || e.desc === "BLOBS" ? "" : ".gz";
        assert.ok(files.includes(n + suffix), `${kind}: ${n}${suffix} is in the folder (${files.join(" ")})`);
      }
      assert.deepEqual(
        loTocNames(r.toc).map((n) => Buffer.from(n).toString()),
        ["blobs.toc"],
      );
      const lo = readFileSync(join(dir, "blobs.toc"));
      assert.equal(checkLoToc(lo), null);
      assert.equal(lo.toString().trim().split("\n").length, 2, "two large objects");
      assert.doesNotThrow(() => checkDumpPath(dir));
      const info = inspectDump(dir);
      assert.ok(info.detection.ok && info.detection.format === "directory", JSON.stringify(info.detection));
    }
  });

  test("a custom archive's TOC (format 1.14) reads the same way, with a data offset per entry", () => {
    const bytes = readFileSync(custom);
    const r = parseToc(bytes, "custom");
    assert.ok(r.ok, !r.ok ? r.problem : "");
    assert.ok(r.toc.end < bytes.length, "the data follows the TOC");
    assertListedAlike(r.toc, custom);
    assert.ok(
      r.toc.entries.every((e) => e.fileName === null),
      "no file names in a custom archive",
    );
  });

  test("formats 1.12 to 1.14 written here are read by pg_restore 15 from the file the TOC names", () => {
    for (const minor of [12, 13, 14]) {
      const dir = join(base, `synthetic-1.${minor}`);
      mkdirSync(dir);
      writeFileSync(join(dir, "toc.dat"), writeToc(minor, SYNTHETIC));
      writeFileSync(join(dir, "4.dat"), `${MARKER}\n\\.\n\n`);
      const script = execFileSync("pg_restore", ["-f", "-", dir], { encoding: "utf8" });
      assert.match(script, new RegExp(`COPY public\\.t \\(line\\) FROM stdin;\\n${MARKER}\\n`), `1.${minor}`);
      assert.doesNotThrow(() => checkDumpPath(dir));
      assert.ok(inspectDump(dir).detection.ok);
    }
  });

  /** A copy of the uncompressed archive whose table t's data entry names `to` instead of its NNNN.dat. */
  function withDataFileNamed(dest: string, to: (archive: string) => string): void {
    cpSync(dirs.plain, dest, { recursive: true });
    const bytes = readFileSync(join(dest, "toc.dat"));
    const r = parseToc(bytes, "directory");
    assert.ok(r.ok);
    const e = r.toc.entries.find((x) => x.desc === "TABLE DATA" && x.tag === "t");
    assert.ok(e);
    writeFileSync(join(dest, "toc.dat"), rewriteName(bytes, r.toc, e, to(dest)));
  }

  test("the rewritten archive is a live attack: pg_restore itself reads the secret through it", () => {
    const dir = join(base, "live");
    withDataFileNamed(dir, (a) => relative(a, secretFile));
    const script = execFileSync("pg_restore", ["-f", "-", dir], { encoding: "utf8" });
    assert.ok(script.includes(secret), "pg_restore read the file outside the folder");
    assert.throws(
      () => checkDumpPath(dir),
      (err: unknown) =>
        err instanceof UsageError &&
        /table of contents \(toc\.dat\) names the data file "\.\.\/outside\/secret\.txt" for entry \d+ \("TABLE DATA" "t"\), which it holds a "\/"/.test(
          err.message,
        ),
    );
    for (const to of ["/etc/passwd", "..", "..\\x"]) {
      const d = join(base, `live-${randomBytes(3).toString("hex")}`);
      withDataFileNamed(d, () => to);
      assert.throws(() => checkDumpPath(d), UsageError, to);
    }
  });

  test("CLI: a toc.dat naming ../../outside/secret is refused before pg_restore runs, exit 2, secret nowhere", async () => {
    const dir = join(base, "fixtures", "toc_cli");
    withDataFileNamed(dir, (a) => relative(a, secretFile));
    assert.match(relative(dir, secretFile), /^\.\.\/\.\.\//);
    const json = join(base, "report.json");
    const r = await runCli(["check", "--json", "--database-url", adminUrl(), dir, "--report-json", json]);
    assertSecretNowhere(secret, {
      stdout: r.stdout,
      stderr: r.stderr,
      "--report-json file": existsSync(json) ? readFileSync(json, "utf8") : "",
    });
    assert.equal(
      r.code,
      2,
      `a usage error, as a symbolic link out of the folder is\n${r.stdout}\n${r.stderr}`,
    );
    assert.match(r.stderr, /names the data file "\.\.\/\.\.\/outside\/secret\.txt"/);
  });

  test("CLI: a large-object list naming a file outside the folder is refused, exit 2, secret nowhere", async () => {
    const dir = join(base, "fixtures", "lo_cli");
    cpSync(dirs.plain, dir, { recursive: true });
    const lines = readFileSync(join(dir, "blobs.toc"), "utf8").split("\n");
    const oid = (lines[0] as string).split(" ")[0];
    lines[0] = `${oid} ${relative(dir, secretFile)}`;
    writeFileSync(join(dir, "blobs.toc"), lines.join("\n"));
    const script = execFileSync("pg_restore", ["-f", "-", dir], { encoding: "utf8" });
    assert.ok(
      script.includes(Buffer.from(secret).toString("hex")),
      "pg_restore read it as large-object data",
    );
    const r = await runCli(["check", "--json", "--database-url", adminUrl(), dir]);
    assertSecretNowhere(secret, { stdout: r.stdout, stderr: r.stderr });
    assert.ok(!`${r.stdout}${r.stderr}`.includes(Buffer.from(secret).toString("hex")));
    assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
    assert.match(
      r.stderr,
      /large-object list "blobs\.toc" cannot be vouched for: its line 1 names the file "\.\.\/\.\.\/outside\/secret\.txt"/,
    );
  });

  test("a BLOBS entry naming a list outside the folder, or a compressed list: refused", () => {
    const dir = join(base, "blobs-entry");
    cpSync(dirs.plain, dir, { recursive: true });
    const bytes = readFileSync(join(dir, "toc.dat"));
    const r = parseToc(bytes, "directory");
    assert.ok(r.ok);
    const e = r.toc.entries.find((x) => x.desc === "BLOBS");
    assert.ok(e);
    writeFileSync(join(dir, "toc.dat"), rewriteName(bytes, r.toc, e, "../outside/blobs.toc"));
    assert.throws(
      () => checkDumpPath(dir),
      /names the data file "\.\.\/outside\/blobs\.toc" for entry \d+ \("BLOBS"/,
    );

    const gz = join(base, "blobs-gz");
    cpSync(dirs.plain, gz, { recursive: true });
    writeFileSync(join(gz, "blobs.toc.gz"), zlib.gzipSync(readFileSync(join(gz, "blobs.toc"))));
    rmSync(join(gz, "blobs.toc"));
    assert.throws(() => checkDumpPath(gz), /large-object list "blobs\.toc" is compressed \(\.gz\)/);
    // with the list back in place the archive passes
    renameSync(join(gz, "blobs.toc.gz"), join(base, "aside.gz"));
    writeFileSync(join(gz, "blobs.toc"), zlib.gunzipSync(readFileSync(join(base, "aside.gz"))));
    assert.doesNotThrow(() => checkDumpPath(gz));
  });

  test("CLI: a truncated or padded toc.dat cannot be vouched for: refused as corrupt, exit 4", async () => {
    const cut = join(base, "fixtures", "toc_cut");
    cpSync(dirs.plain, cut, { recursive: true });
    const bytes = readFileSync(join(cut, "toc.dat"));
    writeFileSync(join(cut, "toc.dat"), bytes.subarray(0, bytes.length - 40));
    const r = await runCli(["check", "--database-url", adminUrl(), cut]);
    assert.equal(r.code, 4, `${r.stdout}\n${r.stderr}`);
    assert.match(
      `${r.stdout}${r.stderr}`,
      /its table of contents \(toc\.dat\) cannot be read to its end, so the files it names cannot be checked before pg_restore opens them: it is truncated: it ends inside entry \d+ of \d+/,
    );

    const padded = join(base, "toc_padded");
    cpSync(dirs.plain, padded, { recursive: true });
    writeFileSync(join(padded, "toc.dat"), Buffer.concat([bytes, Buffer.from([0])]));
    const d = inspectDump(padded).detection;
    assert.ok(!d.ok);
    assert.match(d.problem, /it is corrupt: 1 bytes follow its last entry/);
  });

  describe("through the Action: log, summary, annotations, outputs, the pull request comment", () => {
    let ws: string;
    let api: FakeGitHub;
    before(async () => {
      ws = join(base, "workspace");
      mkdirSync(join(ws, "fixtures"), { recursive: true });
      api = await FakeGitHub.start();
    });
    after(async () => {
      await api?.close();
    });

    test("a fork's directory archive whose toc.dat names a file outside the workspace", async () => {
      const dir = join(ws, "fixtures", "toc_action");
      withDataFileNamed(dir, (a) => relative(a, secretFile));
      const r = await runAction({
        api,
        cwd: ws,
        inputs: {
          "database-url": adminUrl(),
          dump: "fixtures/toc_action",
          comment: "always",
          "keep-database": "false",
        },
      });
      assertSecretNowhere(secret, {
        "log (stdout and stderr)": `${r.stdout}\n${r.stderr}`,
        "job summary": r.summary,
        annotations: JSON.stringify(r.annotations),
        outputs: JSON.stringify(r.outputs),
        "pull request comment and every request to GitHub": JSON.stringify(
          api.requests.map((q) => ({ path: q.path, query: q.query, body: q.body })),
        ),
      });
      assert.notEqual(r.code, 0, `the job fails\n${r.visible}`);
      assert.equal(r.outputs.status, "error", `the dump is refused, not restored\n${r.visible}`);
      assert.match(r.visible, /names the data file "(\.\.\/)+outside\/secret\.txt"/);
    });
  });
});

// Bad dumps, each through the built CLI: a one-paragraph message that says what is wrong and what to do, the
// documented exit code (2 for a path that is not there or not a dump folder, 4 for a dump that cannot be
// restored), no stack trace, no password, and no scratch database or temp file left behind, also after SIGINT in
// the middle of a restore.
import assert from "node:assert/strict";
import {
  chmodSync,
  createReadStream,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import type { Report } from "../src/core/types.ts";
import { databasesLike, pgTool, type Run, sg, tempEntries } from "./fixtures/restore/util.ts";
import { adminUrl, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

const PREFIX = "seq_guard_rb_";
const password = decodeURIComponent(new URL(adminUrl()).password);

/** What every failure must look like. */
function clean(r: Run) {
  assert.ok(!/\n\s+at .+\(.+:\d+:\d+\)/.test(r.stderr + r.stdout), `no stack trace:\n${r.stderr}`);
  if (password) assert.ok(!(r.stdout + r.stderr).includes(password), "no password");
}

/** Rewrite a pg_dump 15 custom archive's header as pg_dump 17 writes it: format 1.16, "Dumped by 17.x". */
function asPgDump17(b: Buffer): Buffer {
  assert.equal(b.subarray(0, 5).toString("latin1"), "PGDMP");
  assert.equal(b[6], 14, "a format 1.14 archive to start from");
  const head = Buffer.from(b.subarray(0, 11));
  head[6] = 16;
  // 1.15 and later store the compression as one byte where 1.14 had an int (sign byte + 4 bytes).
  const out = Buffer.concat([head, Buffer.from([0]), b.subarray(16)]);
  const first = out.indexOf("15.", 0, "latin1");
  const second = out.indexOf("15.", first + 1, "latin1");
  assert.ok(second > 0 && second < 200, "the pg_dump version string in the header");
  out.write("17", second, "latin1");
  return out;
}

describe("bad dumps", () => {
  let src: ScratchDb;
  let dir: string;
  let custom: string;
  let bigPlain: string;

  before(async () => {
    assert.deepEqual(await databasesLike(PREFIX), []);
    src = await scratchDb(`
      CREATE TABLE t (id serial PRIMARY KEY, v text);
      INSERT INTO t (id, v) SELECT g, md5(g::text) || md5((g * 7)::text) FROM generate_series(1, 100000) g;
    `);
    dir = mkdtempSync(join(tmpdir(), "sg-restore-bad-"));
    chmodSync(dir, 0o755);
    custom = join(dir, "rb-source.dump");
    bigPlain = join(dir, "rb-source.sql");
    await pgTool("pg_dump", ["-Fc", "-f", custom], src.url);
    await pgTool("pg_dump", ["-Fp", "-f", bigPlain], src.url);
  });

  after(async () => {
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
    for (const name of await databasesLike(PREFIX)) {
      await withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  const check = (dumps: string[], extra: string[] = []) =>
    sg(["check", "--database-url", adminUrl(), ...extra, ...dumps]);

  test("a path that does not exist: exit 2 before anything starts", async () => {
    const r = await check([join(dir, "nope.dump")]);
    clean(r);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /dump ".*nope\.dump" does not exist\. Check the path/);
    assert.equal(r.stdout, "");
  });

  test("a file that cannot be read: exit 2", async () => {
    const file = join(dir, "rb-secret.dump");
    writeFileSync(file, readFileSync(custom));
    chmodSync(file, 0o600);
    const asRoot = process.getuid?.() === 0;
    // As root every file is readable: run the CLI as nobody then.
    if (!asRoot) chmodSync(file, 0o000);
    const r = await sg(["check", "--database-url", adminUrl(), file], {}, asRoot ? { uid: 65534 } : {});
    clean(r);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot be read: permission denied\. Make it readable/);
  });

  test("a folder that is not a pg_dump directory archive: exit 2", async () => {
    const folder = join(dir, "rb not a dump");
    mkdirSync(folder);
    writeFileSync(join(folder, "readme.txt"), "hello");
    const r = await check([folder]);
    clean(r);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /is a folder without a toc\.dat, so not a pg_dump directory archive/);
  });

  test("random bytes named .sql: exit 4, not SQL", async () => {
    const file = join(dir, "rb-random.sql");
    const bytes = Buffer.alloc(4096);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    writeFileSync(file, bytes);
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4);
    assert.match(r.stdout, /rb-random\.sql \(unknown format, not restored\)/);
    assert.match(r.stdout, /neither a pg_dump archive nor SQL text .*Give a dump made by pg_dump/);
  });

  test("a corrupt archive header: exit 4", async () => {
    const file = join(dir, "rb-corrupt.dump");
    const b = readFileSync(custom);
    b[10] = 42; // the format code
    writeFileSync(file, b);
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4);
    assert.match(
      r.stdout,
      /starts like a pg_dump archive, but its header is corrupt: its format code \(42\)/,
    );
  });

  test("a truncated tar archive (pg_restore spins forever on some, restores part of others): refused before anything is made, exit 4", async () => {
    const tar = join(dir, "rb-whole.tar");
    await pgTool("pg_dump", ["-Ft", "-f", tar], src.url);
    const b = readFileSync(tar);
    const cut = join(dir, "rb-cut.tar");
    writeFileSync(cut, b.subarray(0, Math.floor(b.length * 0.6)));
    // Cut between members: every member whole, the two zero blocks that end a tar file missing.
    const ends = join(dir, "rb-noend.tar");
    writeFileSync(ends, b.subarray(0, b.length - 1024));
    const started = Date.now();
    const r = await sg(["check", "--database-url", adminUrl(), cut, ends], {}, { timeoutMs: 30_000 });
    clean(r);
    assert.equal(r.code, 4, `${r.signal ?? ""} ${r.stdout}${r.stderr}`);
    assert.ok(Date.now() - started < 20_000, "no hang");
    assert.match(
      r.stdout,
      /rb-cut\.tar" cannot be restored: the tar archive is truncated: its member "\d+\.dat" \(\d+ bytes, at offset \d+\) runs past the end of the file \(\d+ bytes\): pg_restore would hang on it, or restore part of its data\. Make the dump again with pg_dump -Ft, or copy it again/,
    );
    assert.match(r.stdout, /rb-cut\.tar \(tar, not restored\)/);
    assert.match(
      r.stdout,
      /rb-noend\.tar" cannot be restored: the tar archive is truncated: it ends after its member "restore\.sql" without the two zero blocks/,
    );
    assert.deepEqual(await databasesLike(PREFIX), [], "refused before a database was made");
    const whole = await check([tar]);
    assert.equal(whole.code, 1, "the whole tar archive restores");
  });

  test("a damaged table of contents that crashes pg_restore: it crashed, the archive is corrupt, what to do, exit 4", async () => {
    const file = join(dir, "rb-crash.dump");
    const b = Buffer.from(readFileSync(custom));
    // The sign byte of the length of the ENCODING entry's SQL: a negative length reads as no SQL, which
    // pg_restore does not expect there (it crashes).
    const at = b.indexOf("SET client_encoding") - 5;
    assert.ok(at > 0 && b[at] === 0, "the length before the ENCODING entry's SQL");
    b[at] = 1;
    writeFileSync(file, b);
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /could not read the table of contents of ".*rb-crash\.dump" \(custom archive\): pg_restore 1\d\.\d+.* crashed \(SIG[A-Z]+\) while reading the archive: the archive is corrupt .*Make it again with pg_dump, or copy it again/,
    );
    assert.doesNotMatch(r.stdout, /without a message/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("a header revision pg_dump never writes (pg_restore would crash on it): corrupt header, exit 4", async () => {
    const file = join(dir, "rb-revision.dump");
    const b = Buffer.from(readFileSync(custom));
    b[7] = 200; // the format's revision: pg_dump writes 0
    writeFileSync(file, b);
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /its header is corrupt: its format revision \(1\.\d+\.200\) is not one pg_dump writes \(format 1\.\d+ always has revision 0\)\. Make the dump again with pg_dump/,
    );
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("a directory archive in a folder this user cannot enter: permission denied and what to do, exit 2", async () => {
    const folder = join(dir, "rb-dirperm");
    await pgTool("pg_dump", ["-Fd", "-f", folder], src.url);
    const asRoot = process.getuid?.() === 0;
    // pg_dump -Fd makes the folder mode 700: as root, the CLI runs as nobody, who cannot enter it.
    chmodSync(folder, asRoot ? 0o700 : 0o000);
    try {
      const r = await sg(["check", "--database-url", adminUrl(), folder], {}, asRoot ? { uid: 65534 } : {});
      clean(r);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /dump ".*rb-dirperm" cannot be read: permission denied \(the folder cannot be entered, so its toc\.dat cannot be read\)\. Make the folder and its files readable by this user \(chmod -R a\+rX on the folder\)/,
      );
      assert.doesNotMatch(r.stderr, /without a toc\.dat/);
    } finally {
      chmodSync(folder, 0o755);
    }
  });

  test("a directory archive with a data file unreadable or missing: incomplete or unreadable, what to do, exit 4", async () => {
    const folder = join(dir, "rb-dirparts");
    await pgTool("pg_dump", ["-Fd", "-f", folder], src.url);
    chmodSync(folder, 0o755);
    const files = readdirSync(folder);
    for (const f of files) chmodSync(join(folder, f), 0o644);
    // The data of table t, the biggest file.
    const data = files
      .filter((f) => /^\d+\.dat/.test(f))
      .sort((a, b) => statSync(join(folder, b)).size - statSync(join(folder, a)).size)[0] as string;
    const asRoot = process.getuid?.() === 0;
    chmodSync(join(folder, data), 0o000);
    const unreadable = await sg(
      ["check", "--database-url", adminUrl(), "--jobs", "2", folder],
      {},
      asRoot ? { uid: 65534 } : {},
    );
    clean(unreadable);
    assert.equal(unreadable.code, 4, unreadable.stdout + unreadable.stderr);
    assert.match(
      unreadable.stdout,
      /the directory archive is incomplete or unreadable: pg_restore could not open .*rb-dirparts\/\d+\.dat \(Permission denied\)\. Make the folder's files readable by this user/,
    );
    rmSync(join(folder, data));
    const missing = await check([folder], ["--jobs", "2"]);
    clean(missing);
    assert.equal(missing.code, 4, missing.stdout + missing.stderr);
    assert.match(
      missing.stdout,
      /the directory archive is incomplete or unreadable: pg_restore could not open .*rb-dirparts\/\d+\.dat \(No such file or directory\)\. Copy the whole folder again/,
    );
    for (const r of [unreadable, missing]) assert.doesNotMatch(r.stdout, /worker process died/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("a truncated archive: exit 4, truncated or corrupt", async () => {
    const file = join(dir, "rb-truncated.dump");
    const b = readFileSync(custom);
    writeFileSync(file, b.subarray(0, Math.floor(b.length * 0.6)));
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /could not restore ".*rb-truncated\.dump" \(custom archive\) with pg_restore 1\d/);
    assert.match(r.stdout, /The archive is truncated or corrupt: make it again with pg_dump/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("bytes damaged in the middle of an archive: called corrupt, with what to do, exit 4", async () => {
    const file = join(dir, "rb-damaged.dump");
    const b = Buffer.from(readFileSync(custom));
    const mid = Math.floor(b.length / 2);
    for (let i = 0; i < 400; i++) b[mid + i] = (b[mid + i] as number) ^ 0xa5;
    writeFileSync(file, b);
    for (const jobs of ["1", "2"]) {
      const r = await check([file], ["--jobs", jobs]);
      clean(r);
      assert.equal(r.code, 4, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /The archive (may be corrupt|is truncated or corrupt)/,
        `--jobs ${jobs}: ${r.stdout}`,
      );
      assert.match(r.stdout, /make it again|copy it again/);
    }
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("an archive whose object fails to restore: the failing command is named, past LINE and caret lines", async () => {
    const s2 = await scratchDb(`
      CREATE SCHEMA other;
      CREATE TABLE other.o (id int);
      CREATE VIEW public.v AS SELECT id FROM other.o;
    `);
    const file = join(dir, "rb-view.dump");
    try {
      await pgTool("pg_dump", ["-Fc", "-N", "other", "-f", file], s2.url);
    } finally {
      await s2.drop();
    }
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /could not execute query: ERROR: relation "other\.o" does not exist \(while running: CREATE VIEW public\.v AS SELECT/,
    );
  });

  test("a truncated gzip file: exit 4", async () => {
    const gz = join(dir, "rb-whole.sql.gz");
    await pipeline(createReadStream(bigPlain), zlib.createGzip(), createWriteStream(gz));
    const file = join(dir, "rb-cut.sql.gz");
    const b = readFileSync(gz);
    writeFileSync(file, b.subarray(0, Math.floor(b.length / 2)));
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /is not a whole gzip file .*truncated or corrupt/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("plain SQL failing midway: the server's error with file:line, exit 4", async () => {
    const file = join(dir, "rb midway.sql");
    writeFileSync(
      file,
      [
        "-- a fixture",
        "CREATE TABLE t (id integer PRIMARY KEY);",
        "",
        "INSERT INTO t VALUES (1);",
        "INSERT INTO t VALUES (2);",
        "INSERT INTO t",
        "  VALUES (1);",
        "INSERT INTO t VALUES (3);",
        "",
      ].join("\n"),
    );
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4);
    // A duplicate key has no position in the statement: the message names the line it starts on, and what to do.
    assert.match(
      r.stdout,
      /rb midway\.sql:6: ERROR: duplicate key value violates unique constraint "t_pkey" DETAIL: Key \(id\)=\(1\) already exists\. Fix the statement on lines 6-7, or pass --on-restore-error continue to restore past failing statements\./,
    );
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("plain SQL failing on a one-line statement: that line, and what to do", async () => {
    const file = join(dir, "rb-oneline.sql");
    writeFileSync(file, "CREATE TABLE t (id int);\n\nSELECT 1/0;\n");
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4);
    assert.match(
      r.stdout,
      /rb-oneline\.sql:3: ERROR: division by zero\. Fix the statement on that line, or pass --on-restore-error continue/,
    );
  });

  test("a plain pg_dump file cut short: refused as truncated, not verified on half the data, exit 4", async () => {
    const file = join(dir, "rb-cut.sql");
    const b = readFileSync(bigPlain);
    assert.match(b.subarray(0, 40).toString(), /^--\n-- PostgreSQL database dump\n/);
    writeFileSync(file, b.subarray(0, Math.floor(b.length / 2)));
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /rb-cut\.sql:\d+: the script starts as pg_dump writes one \(-- PostgreSQL database dump\) but ends without the line pg_dump writes last \(-- PostgreSQL database dump complete\): it was cut short.* Make the dump again, or copy it again/,
    );
    assert.doesNotMatch(r.stdout, /behind|sequences?,/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("an archive newer than any pg_restore here: both versions and the remedy, exit 4", async () => {
    const file = join(dir, "rb-from-pg17.dump");
    writeFileSync(file, asPgDump17(readFileSync(custom)));
    const r = await check([file]);
    clean(r);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /format 1\.16 \(written by pg_dump 17\.\d+/);
    assert.match(r.stdout, /needs pg_restore 17 or newer/);
    assert.match(r.stdout, /the newest pg_restore found is 15\.\d+.*reads archive formats up to 1\.14/);
    assert.match(r.stdout, /install the PostgreSQL 17 client tools .*--restore-via docker:CONTAINER/);
    assert.deepEqual(await databasesLike(PREFIX), [], "refused before any database was made");
  });

  test("one failing dump does not stop the others; every dump is reported", async () => {
    const good = join(dir, "rb-good.sql");
    writeFileSync(good, "CREATE TABLE g (id serial PRIMARY KEY);\nINSERT INTO g VALUES (1), (2);\n");
    const bad = join(dir, "rb-bad.sql");
    writeFileSync(bad, "CREATE TABLE b (id int);\nSELECT 1/0;\n");
    const r = await sg(["check", "--json", "--database-url", adminUrl(), bad, good]);
    clean(r);
    assert.equal(r.code, 4);
    const report = JSON.parse(r.stdout) as Report;
    assert.equal(report.targets.length, 2);
    const [tb, tg] = report.targets;
    assert.match(tb?.error ?? "", /rb-bad\.sql:2: ERROR: division by zero/);
    assert.equal(tb?.restore_ms, null);
    assert.equal(tg?.error, null);
    assert.equal(tg?.sequences[0]?.status, "behind");
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("SIGINT in the middle of a big plain restore: exit 130, nothing left behind", async () => {
    const file = join(dir, "rb-sigint.sql");
    writeFileSync(
      file,
      `${readFileSync(bigPlain, "utf8")}\nSELECT pg_sleep(120);\nCREATE TABLE never (id int);\n`,
    );
    let sent = 0;
    const r = await sg(
      ["check", "--database-url", adminUrl(), file],
      {},
      {
        timeoutMs: 60_000,
        onStart: (child) => {
          // Under way: the restore's session is in the pg_sleep after all the data (seen in pg_stat_activity; the
          // table itself may be locked by the statements sent with the sleep, so it is not read). One look at a time.
          let looking = false;
          const poll = setInterval(async () => {
            if (looking || sent > 0) return;
            looking = true;
            const sleeping = await withClient(adminUrl(), (c) =>
              c.query(
                "SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, $1) AND state = 'active' AND query LIKE '%pg_sleep(120)%'",
                [`${PREFIX}sigint`],
              ),
            )
              .then((x) => (x.rowCount ?? 0) > 0)
              .catch(() => false)
              .finally(() => {
                looking = false;
              });
            if (sleeping && sent === 0) {
              sent = Date.now();
              clearInterval(poll);
              child.kill("SIGINT");
            }
          }, 200);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    clean(r);
    assert.ok(sent > 0, `the restore got under way before the signal: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.ok(Date.now() - sent < 15_000, "stopped promptly");
    assert.match(r.stderr, /interrupted: cleaning up/);
    assert.deepEqual(await databasesLike(PREFIX), [], "the scratch database is gone");
    assert.deepEqual(tempEntries(r.pid), [], "no temp files");
    const sessions = await withClient(adminUrl(), (c) =>
      c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname LIKE 'seq_guard_rb_%'"),
    );
    assert.equal(sessions.rows[0]?.n, 0, "no session left running");
  });
});

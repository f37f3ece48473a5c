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
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import type { Report } from "../src/types.ts";
import { databasesLike, pgTool, type Run, sg, tempEntries } from "./fixtures/restore/util.ts";
import { adminUrl, type ScratchDb, scratchDb, urlFor, withClient } from "./helpers.ts";

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
    assert.match(
      r.stdout,
      /rb midway\.sql:7: ERROR: duplicate key value violates unique constraint "t_pkey" DETAIL: Key \(id\)=\(1\) already exists\./,
    );
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
          const poll = setInterval(async () => {
            const dbs = await databasesLike(`${PREFIX}sigint`).catch(() => []);
            if (dbs.length > 0) {
              const rows = await withClient(urlFor(dbs[0] as string), (c) =>
                c.query("SELECT count(*)::int AS n FROM public.t").then((x) => x.rows[0]?.n as number),
              ).catch(() => 0);
              if (rows > 0 && sent === 0) {
                sent = Date.now();
                clearInterval(poll);
                child.kill("SIGINT");
              }
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

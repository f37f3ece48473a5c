// Restoring dumps in every pg_dump format, made here by the real pg_dump from the corpus database, through the
// built CLI: every format gets the same verdicts as the source database; the docker shim path; root-cause hints;
// --restore-database, --clean and --keep; --on-restore-error continue; fix on a dump. Paths have spaces, quotes,
// unicode and a leading dash. No scratch database is left behind.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
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
import type { Report, SequenceReport, TargetReport } from "../src/core/types.ts";
import { CORPUS_SQL, EXPECTED } from "./corpus.ts";
import {
  databasesLike,
  fakeDocker,
  pgTool,
  serverAddress,
  sg,
  tempEntries,
} from "./fixtures/restore/util.ts";
import { adminUrl, type ScratchDb, scratchDb, urlFor, withClient } from "./helpers.ts";

const PREFIX = "seq_guard_rt_";
const password = decodeURIComponent(new URL(adminUrl()).password);

/** What must be equal between the source database and a restored dump. */
function verdicts(seqs: SequenceReport[]) {
  return Object.fromEntries(
    seqs.map((s) => [
      s.sequence,
      {
        status: s.status,
        next: s.next_value,
        max: s.max,
        min: s.min,
        fixed: s.fixed_next_value,
        columns: s.columns.map((c) => `${c.table}.${c.column}`).sort(),
        warnings: s.warnings.map((w) => w.code),
      },
    ]),
  );
}

function assertCorpus(t: TargetReport) {
  const got = new Map(t.sequences.map((s) => [s.sequence, s]));
  assert.deepEqual([...got.keys()].sort(), Object.keys(EXPECTED).sort(), `${t.dump}: the corpus's sequences`);
  for (const [name, exp] of Object.entries(EXPECTED)) {
    const r = got.get(name) as SequenceReport;
    assert.equal(r.status, exp.status, `${t.dump}: ${name} (${r.reason})`);
    if (exp.next) assert.equal(r.next_value, exp.next, `${t.dump}: ${name} next`);
    if (exp.collision) assert.equal(r.max ?? r.min, exp.collision, `${t.dump}: ${name} collision`);
  }
}

function parseReport(stdout: string): Report {
  try {
    return JSON.parse(stdout) as Report;
  } catch {
    throw new Error(`not a JSON report: ${stdout.slice(0, 500)}`);
  }
}

function noSecret(r: { stdout: string; stderr: string }) {
  if (password.length > 0) {
    assert.ok(!r.stdout.includes(password) && !r.stderr.includes(password), "the password never shows");
  }
}

describe("restoring every pg_dump format", () => {
  let src: ScratchDb;
  let dir: string;
  let sourceVerdicts: ReturnType<typeof verdicts>;
  const dumps: Record<string, string> = {};

  before(async () => {
    assert.deepEqual(await databasesLike(PREFIX), [], "no scratch databases of these tests before they run");
    src = await scratchDb(CORPUS_SQL);
    // A folder with a space, quotes and unicode; file names with a leading dash and spaces.
    dir = join(mkdtempSync(join(tmpdir(), "sg-restore-")), `it's a "dump" földer`);
    mkdirSync(dir);
    dumps.custom = join(dir, "-rt custom.dump");
    dumps.directory = join(dir, "rt directory");
    dumps.tar = join(dir, "rt tar.tar");
    dumps.plain = join(dir, "rt plain.sql");
    dumps["plain-gzip"] = join(dir, "rt gzip.sql.gz");
    await pgTool("pg_dump", ["-Fc", "-f", dumps.custom], src.url);
    await pgTool("pg_dump", ["-Fd", "-f", dumps.directory], src.url);
    await pgTool("pg_dump", ["-Ft", "-f", dumps.tar], src.url);
    await pgTool("pg_dump", ["-Fp", "-f", dumps.plain], src.url);
    await pipeline(createReadStream(dumps.plain), zlib.createGzip(), createWriteStream(dumps["plain-gzip"]));
    const live = await sg(["check", "--json", "--database-url", src.url]);
    assert.equal(live.code, 1, live.stderr);
    const srcReport = parseReport(live.stdout);
    assertCorpus(srcReport.targets[0] as TargetReport);
    sourceVerdicts = verdicts((srcReport.targets[0] as TargetReport).sequences);
  });

  after(async () => {
    await src?.drop();
    if (dir) rmSync(join(dir, ".."), { recursive: true, force: true });
    for (const name of await databasesLike(PREFIX)) {
      await withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  test("every format restores with the source database's verdicts, and nothing is left", async () => {
    const formats = Object.keys(dumps);
    // The leading-dash file goes as --dump=PATH; the others as plain arguments.
    const args = ["check", "--json", "--database-url", adminUrl(), `--dump=${dumps.custom}`];
    for (const f of formats.filter((f) => f !== "custom")) args.push(dumps[f] as string);
    const r = await sg(args);
    noSecret(r);
    assert.equal(r.code, 1, `exit 1 for the behind sequences; stderr: ${r.stderr}`);
    const report = parseReport(r.stdout);
    assert.equal(report.targets.length, formats.length);
    for (const t of report.targets) {
      const format = formats.find((f) => dumps[f] === t.dump);
      assert.ok(format, `target for ${t.dump}`);
      assert.equal(t.format, format);
      assert.equal(t.error, null, `${t.dump}: ${t.error}`);
      assert.ok(typeof t.restore_ms === "number" && t.restore_ms > 0);
      assert.ok(t.database.startsWith(PREFIX), t.database);
      assertCorpus(t);
      assert.deepEqual(
        verdicts(t.sequences),
        sourceVerdicts,
        `${format}: same verdicts as the source database`,
      );
      if (format.startsWith("plain")) {
        // pg_dump writes setval(seq, N, false) for a sequence that is behind at the source: named as the cause.
        assert.ok(t.hints.length > 0, `${format}: hints`);
        for (const h of t.hints) {
          assert.match(
            h,
            /^.*rt (plain|gzip)\.sql(\.gz)?:\d+: setval\('.*', -?\d+, (true|false)\) restores .+ where it stood in the database pg_dump dumped/,
            h,
          );
        }
      } else {
        assert.deepEqual(t.hints, [], `${format}: a full pg_dump restores every SEQUENCE SET, so no hint`);
      }
    }
    assert.deepEqual(await databasesLike(PREFIX), [], "scratch databases dropped");
  });

  test("a leading-dash path also works after --", async () => {
    const r = await sg(["report", "--json", "--database-url", adminUrl(), "--", dumps.custom as string]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(parseReport(r.stdout).targets[0]?.dump, dumps.custom);
  });

  test("fix on a dump fixes the restored copy exactly", async () => {
    const r = await sg(["fix", "--json", "--database-url", adminUrl(), dumps.tar as string]);
    const report = parseReport(r.stdout);
    const t = report.targets[0] as TargetReport;
    for (const [name, exp] of Object.entries(EXPECTED)) {
      const s = t.sequences.find((x) => x.sequence === name) as SequenceReport;
      if (exp.status === "behind") {
        assert.equal(s.status, "fixed", `${name}: ${s.reason}`);
        assert.equal(s.fixed_next_value, exp.fixedNext, name);
      }
    }
    assert.equal(r.code, 1, "the exhausted sequences still fail the run");
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("--restore-via docker:CONTAINER runs the tools in the container, streams the dump, keeps the password out of argv", async () => {
    const log = join(dir, "docker.log");
    const { host, port } = serverAddress(adminUrl());
    const env = fakeDocker({
      FAKE_DOCKER_LOG: log,
      FAKE_DOCKER_CONTAINER: "pg-service",
      FAKE_DOCKER_PGHOST: host,
      FAKE_DOCKER_PGPORT: port,
    });
    // The copies seq-guard makes in a container's /tmp are named seq-guard-<12 hex digits>.
    const copies = () => tempEntries().filter((n) => /^seq-guard-[0-9a-f]{12}$/.test(n));
    const copiesBefore = copies();
    const r = await sg(
      [
        "check",
        "--json",
        "--database-url",
        adminUrl(),
        "--restore-via",
        "docker:pg-service",
        "--jobs",
        "2",
        `--dump=${dumps.custom}`,
        dumps.directory as string,
        dumps.tar as string,
        dumps["plain-gzip"] as string,
      ],
      env,
    );
    noSecret(r);
    assert.equal(r.code, 1, r.stderr);
    const report = parseReport(r.stdout);
    assert.equal(report.targets.length, 4);
    for (const t of report.targets) {
      assert.equal(t.error, null, `${t.dump}: ${t.error}`);
      assert.deepEqual(verdicts(t.sequences), sourceVerdicts, `${t.format} via docker`);
    }
    const calls = readFileSync(log, "utf8").trim().split("\n");
    assert.ok(!calls.join("\n").includes(password), "no password in docker's argv");
    assert.ok(
      calls.some((c) =>
        /^exec -i -e PGUSER -e PGPASSWORD .*pg-service pg_restore --no-owner --no-privileges --exit-on-error --dbname=\S+rt_tar'$/.test(
          c,
        ),
      ),
      `a tar archive is streamed in: ${calls.join("\n")}`,
    );
    // --jobs needs a file pg_restore can seek in: a custom archive is copied in when jobs > 1.
    assert.ok(
      calls.some((c) => /^cp .*-rt custom\.dump pg-service:\/tmp\/seq-guard-/.test(c)),
      "custom copied in",
    );
    assert.ok(
      calls.some((c) =>
        /^exec .*pg-service pg_restore .*--jobs=2 --dbname=\S+rt_custom' \/tmp\/seq-guard-/.test(c),
      ),
      `custom restored in parallel: ${calls.join("\n")}`,
    );
    assert.ok(
      calls.some((c) => /^cp .*rt directory pg-service:\/tmp\/seq-guard-/.test(c)),
      "directory copied in",
    );
    assert.ok(
      calls.some((c) => /^exec pg-service rm -rf \/tmp\/seq-guard-/.test(c)),
      "and removed again",
    );
    // Plain SQL goes over seq-guard's own connection, also with --restore-via: only pg_restore runs inside.
    assert.deepEqual(
      calls.filter((c) => /^exec /.test(c) && !/ pg-service (pg_restore|rm) /.test(c)),
      [],
      "nothing but pg_restore (and the removal of its copies) runs in the container",
    );
    assert.ok(!calls.some((c) => c.includes("rt gzip")), "the plain dump never went to docker");
    assert.deepEqual(copies(), copiesBefore, "no copy left in the container's /tmp");
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("--restore-via with -L LIST: the list is copied into the container and named by its copy", async () => {
    const log = join(dir, "docker-list.log");
    const { host, port } = serverAddress(adminUrl());
    const listFile = join(dir, "rt selection.list");
    const list = execFileSync("pg_restore", ["-l", dumps.custom as string], { encoding: "utf8" });
    writeFileSync(
      listFile,
      list
        .split("\n")
        .filter((l) => !/SEQUENCE SET/.test(l))
        .join("\n"),
    );
    const r = await sg(
      [
        "check",
        "--json",
        "--database-url",
        adminUrl(),
        "--restore-via",
        "docker:pg-service",
        "--jobs",
        "1",
        "--restore-arg=-L",
        `--restore-arg=${listFile}`,
        `--dump=${dumps.custom}`,
      ],
      fakeDocker({
        FAKE_DOCKER_LOG: log,
        FAKE_DOCKER_CONTAINER: "pg-service",
        FAKE_DOCKER_PGHOST: host,
        FAKE_DOCKER_PGPORT: port,
      }),
    );
    noSecret(r);
    const t = parseReport(r.stdout).targets[0] as TargetReport;
    assert.equal(t.error, null, t.error ?? r.stderr);
    const calls = readFileSync(log, "utf8").trim().split("\n");
    const copy = calls
      .map((c) => /^cp .*rt selection\.list pg-service:(\/tmp\/seq-guard-[0-9a-f]+)$/.exec(c)?.[1])
      .find(Boolean);
    assert.ok(copy, `the list copied in: ${calls.join("\n")}`);
    assert.ok(
      calls.some((c) =>
        c.includes(`pg_restore --no-owner --no-privileges --exit-on-error -L ${copy} --dbname=`),
      ),
      calls.join("\n"),
    );
    assert.ok(
      calls.some((c) => c === `exec pg-service rm -rf ${copy}`),
      "and removed again",
    );
    // The hint names the list as the user gave it.
    assert.match(t.hints.join("\n"), /the restore selected part of the archive \(-L .*rt selection\.list\)/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("--restore-via a container that does not exist fails that dump with docker's message (exit 4)", async () => {
    const r = await sg(
      ["check", "--database-url", adminUrl(), "--restore-via", "docker:nope", dumps.custom as string],
      fakeDocker({ FAKE_DOCKER_CONTAINER: "pg-service" }),
    );
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, /No such container: nope/);
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("--restore-database, --keep and --clean", async () => {
    const name = `${PREFIX}named db`;
    const kept = await sg([
      "check",
      "--database-url",
      adminUrl(),
      "--keep",
      "--restore-database",
      name,
      dumps.custom as string,
    ]);
    assert.equal(kept.code, 1, kept.stderr);
    assert.deepEqual(await databasesLike(PREFIX), [name], "--keep keeps it");
    const n = await withClient(
      urlFor(name),
      async (c) => (await c.query("SELECT count(*)::int AS n FROM users")).rows[0]?.n,
    );
    assert.equal(n, 200);

    const again = await sg([
      "check",
      "--database-url",
      adminUrl(),
      "--restore-database",
      name,
      dumps.custom as string,
    ]);
    assert.equal(again.code, 2, again.stdout);
    assert.match(again.stderr, /already exists and is not empty .*--clean/);
    assert.deepEqual(await databasesLike(PREFIX), [name], "left as it was");

    const clean = await sg([
      "check",
      "--database-url",
      adminUrl(),
      "--clean",
      "--restore-database",
      name,
      dumps.plain as string,
    ]);
    assert.equal(clean.code, 1, clean.stderr);
    assert.deepEqual(await databasesLike(PREFIX), [], "dropped, recreated, restored, dropped again");
  });

  test("--on-restore-error continue passes over errors, says so, and still verifies", async () => {
    const file = join(dir, "rt continue.sql");
    writeFileSync(
      file,
      "CREATE TABLE a (id serial PRIMARY KEY);\nINSERT INTO a VALUES (1), (2);\nSELECT * FROM no_such_table;\nINSERT INTO a VALUES (3);\n",
    );
    const r = await sg([
      "check",
      "--json",
      "--database-url",
      adminUrl(),
      "--on-restore-error",
      "continue",
      file,
    ]);
    assert.equal(r.code, 1, r.stderr);
    const t = parseReport(r.stdout).targets[0] as TargetReport;
    assert.equal(t.error, null);
    assert.equal(t.sequences[0]?.max, "3", "the script ran past the error");
    assert.match(
      t.hints.join("\n"),
      /seq-guard passed over error 1 of 1 \(--on-restore-error continue\): .*rt continue\.sql:3: ERROR: relation "no_such_table" does not exist/,
    );
    assert.match(t.hints.join("\n"), /never calls setval/);
  });
});

describe("root-cause hints from real dumps", () => {
  let src: ScratchDb;
  let dir: string;
  before(async () => {
    // A healthy database: explicit ids, then setval. Its dump is fine unless SEQUENCE SET entries go missing.
    src = await scratchDb(`
      CREATE TABLE items (id serial PRIMARY KEY, name text);
      INSERT INTO items (id, name) SELECT g, 'item ' || g FROM generate_series(1, 50) g;
      SELECT setval('items_id_seq', 50);
    `);
    dir = mkdtempSync(join(tmpdir(), "sg-restore-hints-"));
  });
  after(async () => {
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  test("a full dump of a healthy database: ok, no hint", async () => {
    const file = join(dir, "rt full.dump");
    await pgTool("pg_dump", ["-Fc", "-f", file], src.url);
    const r = await sg(["check", "--json", "--database-url", adminUrl(), file]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(parseReport(r.stdout).targets[0]?.hints, []);
  });

  test("an archive made without its SEQUENCE SET entries: behind, and the hint says why", async () => {
    const file = join(dir, "rt no seqset.dump");
    await pgTool("pg_dump", ["-Fc", "--exclude-table-data=items_id_seq", "-f", file], src.url);
    const r = await sg(["check", "--database-url", adminUrl(), file]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /behind\s+public\.items_id_seq/);
    assert.match(
      r.stdout,
      /hint: the archive's table of contents holds data for 1 table but no SEQUENCE SET entry/,
    );
    const json = parseReport((await sg(["check", "--json", "--database-url", adminUrl(), file])).stdout);
    assert.match(json.targets[0]?.hints[0] ?? "", /no SEQUENCE SET entry/);
  });

  test("a restore that selects entries without the SEQUENCE SET (pg_restore -L): the hint names the selection", async () => {
    const file = join(dir, "rt full.dump");
    const listFile = join(dir, "no seqset.list");
    const list = execFileSync("pg_restore", ["-l", file], { encoding: "utf8" });
    assert.match(list, /SEQUENCE SET/);
    writeFileSync(
      listFile,
      list
        .split("\n")
        .filter((l) => !l.includes("SEQUENCE SET"))
        .join("\n"),
    );
    const r = await sg([
      "check",
      "--database-url",
      adminUrl(),
      "--restore-arg=-L",
      `--restore-arg=${listFile}`,
      file,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /hint: the restore selected part of the archive \(-L .*no seqset\.list\)/);
  });
});

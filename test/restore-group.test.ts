// Several dumps under one --restore-database (a schema file and a data file, as pagila and sakila ship): restored
// in order into that database and verified once, as one target. Through runTargets, which both front ends call.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { TargetReport } from "../src/core/types.ts";
import { parseDatabaseUrl } from "../src/db/connection.ts";
import { DEFAULT_ENGINE } from "../src/db/engine.ts";
import type { RestoreOptions } from "../src/restore/options.ts";
import { runTargets } from "../src/run/targets.ts";
import { databasesLike, pgTool } from "./fixtures/restore/util.ts";
import { adminUrl, restoreOptions, runCli, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

const PREFIX = "seq_guard_rg_";

function run(dumps: string[], restore: Partial<RestoreOptions> = {}): Promise<TargetReport[]> {
  return runTargets({
    connection: parseDatabaseUrl(adminUrl(), "--database-url"),
    dumps,
    restore: restoreOptions({ jobs: 2, ...restore }),
    engine: { ...DEFAULT_ENGINE, mode: "check" },
    progress: () => undefined,
  });
}

describe("several dumps into one --restore-database", () => {
  let dir: string;
  let src: ScratchDb;

  before(async () => {
    assert.deepEqual(await databasesLike(PREFIX), []);
    dir = mkdtempSync(join(tmpdir(), "sg-restore-group-"));
    // pagila's way: the schema links its tables to sequences through defaults only.
    src = await scratchDb(`
      CREATE SEQUENCE actor_actor_id_seq;
      CREATE TABLE actor (actor_id integer DEFAULT nextval('actor_actor_id_seq') PRIMARY KEY, name text);
      CREATE TABLE film (film_id serial PRIMARY KEY, title text);
      INSERT INTO actor (actor_id, name) SELECT g, 'a' || g FROM generate_series(1, 200) g;
      SELECT setval('actor_actor_id_seq', 200);
      INSERT INTO film (film_id, title) SELECT g, 'f' || g FROM generate_series(1, 30) g;
      SELECT setval('film_film_id_seq', 30);
    `);
  });

  after(async () => {
    await src?.drop();
    rmSync(dir, { recursive: true, force: true });
    for (const name of await databasesLike(PREFIX)) {
      await withClient(adminUrl(), (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    }
  });

  test("a plain schema file and a plain data file: restored in order, verified once, one target", async () => {
    const schema = join(dir, "rg-schema.sql");
    const data = join(dir, "rg-data.sql");
    await pgTool("pg_dump", ["-Fp", "--schema-only", "-f", schema], src.url);
    await pgTool("pg_dump", ["-Fp", "--data-only", "-f", data], src.url);
    // Each alone cannot be restored into a fresh database (the data file's tables do not exist there).
    const alone = await run([data]);
    assert.match(alone[0]?.error ?? "", /rg-data\.sql:\d+: ERROR: relation "public\.\w+" does not exist/);

    const targets = await run([schema, data], { database: `${PREFIX}pagila` });
    assert.equal(targets.length, 1);
    const t = targets[0] as TargetReport;
    assert.equal(t.error, null, t.error ?? "");
    assert.equal(t.dump, `${schema} + ${data}`);
    assert.equal(t.database, `${PREFIX}pagila`);
    assert.equal(t.format, "plain");
    assert.ok((t.restore_ms ?? 0) > 0);
    assert.deepEqual(t.sequences.map((s) => `${s.sequence} ${s.status} ${s.next_value}`).sort(), [
      "public.actor_actor_id_seq ok 201",
      "public.film_film_id_seq ok 31",
    ]);
    assert.deepEqual(t.hints, []);
    assert.deepEqual(await databasesLike(PREFIX), [], "dropped afterwards (no --keep)");
  });

  test("an archive with the schema and an archive with the data; hints see both tables of contents", async () => {
    const schema = join(dir, "rg-schema.dump");
    const data = join(dir, "rg-data.dump");
    await pgTool("pg_dump", ["-Fc", "--schema-only", "-f", schema], src.url);
    await pgTool(
      "pg_dump",
      ["-Fc", "--data-only", "--exclude-table-data=film_film_id_seq", "-f", data],
      src.url,
    );
    const [t] = await run([schema, data], { database: `${PREFIX}archives`, keep: true });
    assert.equal(t?.error, null, t?.error ?? "");
    assert.equal(t?.format, "custom");
    assert.deepEqual(t?.sequences.map((s) => `${s.sequence} ${s.status}`).sort(), [
      "public.actor_actor_id_seq ok",
      "public.film_film_id_seq behind",
    ]);
    assert.equal(t?.hints.length, 1);
    assert.match(
      t?.hints[0] ?? "",
      /no SEQUENCE SET entry for public\.film_film_id_seq \(it has 1 SEQUENCE SET entry for other sequences\)/,
    );
    assert.deepEqual(await databasesLike(PREFIX), [`${PREFIX}archives`], "--keep keeps it");
  });

  test("from the command line: seq-guard check --restore-database NAME schema.sql data.sql", async () => {
    const schema = join(dir, "rg-schema.sql");
    const data = join(dir, "rg-data.sql");
    const r = await runCli(
      ["check", "--json", "--database-url", adminUrl(), "--restore-database", `${PREFIX}cli`, schema, data],
      {},
    );
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { targets: TargetReport[] };
    assert.equal(report.targets.length, 1);
    assert.equal(report.targets[0]?.dump, `${schema} + ${data}`);
    assert.equal(report.targets[0]?.summary.ok, 2);
    const none = await runCli(["check", "--database-url", adminUrl(), "--restore-database", `${PREFIX}cli`]);
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /--restore-database names the database to restore the dumps into: give at least one dump/,
    );
  });

  test("the second dump fails: the error says which, and the database is dropped", async () => {
    const schema = join(dir, "rg-schema.sql");
    const bad = join(dir, "rg-bad.sql");
    writeFileSync(
      bad,
      "INSERT INTO actor (actor_id, name) VALUES (1, 'x');\nINSERT INTO nosuch VALUES (1);\n",
    );
    const [t] = await run([schema, bad], { database: `${PREFIX}failing` });
    assert.equal(t?.dump, `${schema} + ${bad}`);
    assert.equal(t?.restore_ms, null);
    assert.match(
      t?.error ?? "",
      /rg-bad\.sql:2: ERROR: relation "nosuch" does not exist.* \(.*rg-bad\.sql is dump 2 of 2 restored into seq_guard_rg_failing; those before it restored\)/,
    );
    assert.ok(!(await databasesLike(PREFIX)).includes(`${PREFIX}failing`));
  });
});

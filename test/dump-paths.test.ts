// Where a dump may be read from. A fork's pull request controls the fixtures, so a symbolic link among them must
// not have the runner's own files read as a dump (and quoted back in errors, the job summary and the pull request
// comment): the Action reads only dumps whose real path lies inside the workspace, and a directory archive may
// hold no link that leads out of its folder (CLI and Action). A template database is never a restore target.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { FakeGitHub, runAction } from "./fake-github.ts";
import { adminUrl, runCli, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

const RUNNER_SECRET = "RUNNER-ONLY-c0ffee";

describe("dumps that lead elsewhere", () => {
  let ws: string;
  let outside: string;
  let db: ScratchDb;
  let api: FakeGitHub;
  before(async () => {
    ws = mkdtempSync(join(tmpdir(), "seq-guard-ws-"));
    outside = mkdtempSync(join(tmpdir(), "seq-guard-runner-"));
    mkdirSync(join(ws, "fixtures"));
    // A file of the runner's, outside the workspace, that reads as SQL.
    writeFileSync(join(outside, "credentials"), `SELECT '${RUNNER_SECRET}'::int;\n`);
    symlinkSync(join(outside, "credentials"), join(ws, "fixtures", "leak.sql"));
    db = await scratchDb("CREATE TABLE t (id serial PRIMARY KEY); INSERT INTO t (id) VALUES (1), (2);");
    const u = new URL(db.url);
    // A directory archive whose data file is replaced by a link to the runner's file.
    const dir = join(ws, "fixtures", "linked.dir");
    execFileSync(
      "pg_dump",
      ["-Fd", "-f", dir, "-h", u.hostname, "-p", u.port, "-U", u.username, "-d", db.name],
      {
        env: { ...process.env, PGPASSWORD: decodeURIComponent(u.password) },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const data = readdirSync(dir).find((f) => /^\d+\.dat/.test(f)) as string;
    assert.ok(data, readdirSync(dir).join(", "));
    unlinkSync(join(dir, data));
    symlinkSync(join(outside, "credentials"), join(dir, data));
    api = await FakeGitHub.start();
  });
  after(async () => {
    await db.drop();
    await api.close();
    rmSync(ws, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  test("the CLI refuses a directory archive with a link out of its folder (exit 2), before anything is restored", async () => {
    const r = await runCli(["check", "--database-url", adminUrl(), "fixtures/linked.dir"], {}, { cwd: ws });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /symbolic link/);
    assert.ok(!`${r.stdout}${r.stderr}`.includes(RUNNER_SECRET));
  });

  test("the Action refuses a dump matched by a glob whose real path is outside the workspace (exit 2)", async () => {
    const r = await runAction({
      api,
      cwd: ws,
      inputs: { "database-url": adminUrl(), dump: "fixtures/*.sql", comment: "always" },
    });
    assert.equal(r.code, 2, r.visible);
    assert.match(r.visible, /outside the workspace/);
    const everything = `${r.visible}${r.summary}${api.comments.map((c) => c.body).join("")}`;
    assert.ok(!everything.includes(RUNNER_SECRET), "the runner's file is never read");
  });

  test("the Action refuses the directory archive as well", async () => {
    const r = await runAction({
      api,
      cwd: ws,
      inputs: { "database-url": adminUrl(), dump: "fixtures/linked.dir", comment: "never" },
    });
    assert.equal(r.code, 2, r.visible);
    assert.ok(!`${r.visible}${r.summary}`.includes(RUNNER_SECRET));
  });
});

describe("a template database as restore target", () => {
  let fixture: string;
  before(() => {
    fixture = mkdtempSync(join(tmpdir(), "seq-guard-tpl-"));
    writeFileSync(join(fixture, "f.sql"), "CREATE TABLE planted (id serial PRIMARY KEY);\n");
  });
  after(async () => {
    rmSync(fixture, { recursive: true, force: true });
    await withClient(adminUrl(), async (c) => {
      await c.query("ALTER DATABASE seq_guard_tpl_test IS_TEMPLATE false").catch(() => undefined);
      await c.query("DROP DATABASE IF EXISTS seq_guard_tpl_test");
    });
  });

  const relations = (database: string) =>
    withClient(adminUrl().replace(/\/[^/?]*(\?|$)/, `/${database}$1`), async (c) => {
      const r = await c.query("SELECT count(*)::int AS n FROM pg_class WHERE relname = 'planted'");
      return r.rows[0].n as number;
    });

  for (const [name, extra] of [
    ["template1", []],
    ["template1", ["--clean"]],
    ["seq_guard_tpl_test", ["--clean"]],
  ] as const) {
    test(`--restore-database ${name} ${extra.join(" ")} is refused (exit 2), the template left as it was`, async () => {
      if (name === "seq_guard_tpl_test") {
        await withClient(adminUrl(), (c) => c.query("CREATE DATABASE seq_guard_tpl_test IS_TEMPLATE true"));
      }
      const r = await runCli([
        "check",
        "--database-url",
        adminUrl(),
        "--restore-database",
        name,
        ...extra,
        join(fixture, "f.sql"),
      ]);
      assert.equal(r.code, 2, `${r.stdout}\n${r.stderr}`);
      assert.match(r.stderr, /template database/);
      assert.equal(await relations(name), 0);
    });
  }
});

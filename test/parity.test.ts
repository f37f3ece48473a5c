// One behaviour in the CLI and the Action: the same options (timeouts, concurrency, on-restore-error, clean), the
// same refusals (report with fail-on, a bare-number duration, --quiet with --verbose), filters that match nothing
// (a warning; nothing left to verify fails with exit 2), and a JSON report on every failure, each front end in its
// own words. The built CLI and the built Action, against the test server.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runAction } from "./fake-github.ts";
import { adminUrl, runCli, type ScratchDb, scratchDb } from "./helpers.ts";

const SQL = `
CREATE TABLE public.users (id serial PRIMARY KEY, name text);
INSERT INTO public.users (id, name) VALUES (1, 'a'), (2, 'b');
`;

describe("CLI and Action: the same options and refusals", () => {
  let db: ScratchDb;
  let ws: string;
  before(async () => {
    db = await scratchDb(SQL);
    ws = mkdtempSync(join(tmpdir(), "seq-guard-parity-"));
  });
  after(async () => {
    await db?.drop();
    rmSync(ws, { recursive: true, force: true });
  });

  test("--statement-timeout 5 / statement-timeout: 5 is a usage error in both; 5s works in both", async () => {
    const cli = await runCli(["check", "--database-url", db.url, "--statement-timeout", "5"]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /--statement-timeout takes a duration with its unit/);
    const action = await runAction({ inputs: { "database-url": db.url, "statement-timeout": "5" } });
    assert.equal(action.code, 2, action.visible);
    assert.match(action.visible, /the statement-timeout input takes a duration with its unit/);
    const ok = await runCli([
      "check",
      "--database-url",
      db.url,
      "--statement-timeout",
      "5s",
      "--lock-timeout",
      "500ms",
      "--concurrency",
      "1",
    ]);
    assert.equal(ok.code, 1, ok.stderr);
    const okAction = await runAction({
      inputs: {
        "database-url": db.url,
        "statement-timeout": "5s",
        "lock-timeout": "500ms",
        "connect-timeout": "5s",
        concurrency: "1",
      },
    });
    assert.equal(okAction.code, 1, okAction.visible);
    assert.equal(okAction.outputs.violations, "1");
    const bad = await runAction({ inputs: { "database-url": db.url, concurrency: "0" } });
    assert.equal(bad.code, 2);
    assert.match(bad.visible, /the concurrency input takes a whole number from 1 to 64/);
  });

  test("report never exits 1; fail-on with report is refused in both, pointing at check", async () => {
    const report = await runCli(["report", "--database-url", db.url]);
    assert.equal(report.code, 0, report.stderr);
    const cli = await runCli(["report", "--database-url", db.url, "--fail-on", "behind"]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(cli.stderr, /--fail-on does not go with report.*use seq-guard check with --fail-on behind/);
    const action = await runAction({
      inputs: { "database-url": db.url, mode: "report", "fail-on": "behind" },
    });
    assert.equal(action.code, 2, action.visible);
    assert.match(
      action.visible,
      /the fail-on input does not go with report.*use mode: check with fail-on: behind/,
    );
    assert.doesNotMatch(action.visible, /--fail-on|seq-guard check/);
    const plain = await runAction({ inputs: { "database-url": db.url, mode: "report" } });
    assert.equal(plain.code, 0, plain.visible);
    assert.equal(plain.outputs.violations, "1", "report still counts the violations");
  });

  test("--quiet with --verbose is refused", async () => {
    const r = await runCli(["check", "--database-url", db.url, "--quiet", "--verbose"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--quiet and --verbose contradict each other/);
  });

  test("a schema filter that matches nothing: a warning, and exit 2 naming the filter, in both", async () => {
    for (const schema of ["nosuch", '"public"']) {
      const cli = await runCli(["check", "--database-url", db.url, "--schema", schema, "--json"]);
      assert.equal(cli.code, 2, cli.stderr);
      assert.match(cli.stderr, new RegExp(`warning: --schema "${schema}" names no schema with sequences`));
      assert.match(
        cli.stderr,
        new RegExp(`the filters \\(--schema "${schema}"\\) leave none of the 1 sequence`),
      );
      const json = JSON.parse(cli.stdout);
      assert.equal(json.ok, false);
      assert.equal(json.error.code, "usage");
      assert.equal(json.error.exit_code, 2);
      assert.equal(json.targets[0]?.sequences.length, 1, "the report keeps what was read");
      const action = await runAction({ inputs: { "database-url": db.url, schemas: schema } });
      assert.equal(action.code, 2, action.visible);
      assert.ok(
        action.annotations.some((a) => a.command === "warning" && /the schemas entry/.test(a.message)),
        action.visible,
      );
      assert.match(action.visible, /the filters \(the schemas entry ".*"\) leave none of the 1 sequence/);
    }
    const quoted = await runCli(["check", "--database-url", db.url, "--schema", '"public"']);
    assert.match(quoted.stderr, /names are matched unquoted/);
    const fine = await runCli([
      "check",
      "--database-url",
      db.url,
      "--schema",
      "public",
      "--exclude",
      "nosuch.*",
    ]);
    assert.equal(fine.code, 1, fine.stderr);
    assert.match(fine.stderr, /warning: --exclude "nosuch\.\*" matches no sequence/);
  });

  test("--json and report-json get a report on a connection failure: ok false, the error's code and message", async () => {
    const url = "postgres://u@127.0.0.1:1/db";
    const path = join(ws, "r.json");
    const cli = await runCli([
      "check",
      "--database-url",
      url,
      "--connect-timeout",
      "1s",
      "--json",
      "--report-json",
      path,
    ]);
    assert.equal(cli.code, 3, cli.stderr);
    for (const text of [cli.stdout, readFileSync(path, "utf8")]) {
      const json = JSON.parse(text);
      assert.equal(json.ok, false);
      assert.equal(json.error.code, "connection");
      assert.equal(json.error.exit_code, 3);
      assert.match(json.error.message, /could not connect to 127\.0\.0\.1:1\/db/);
      assert.deepEqual(json.targets, []);
    }
    const apath = join(ws, "a.json");
    const action = await runAction({
      inputs: { "database-url": url, "connect-timeout": "1s", "report-json": apath },
    });
    assert.equal(action.code, 3, action.visible);
    assert.equal(action.outputs["report-json"], apath);
    const json = JSON.parse(readFileSync(apath, "utf8"));
    assert.equal(json.ok, false);
    assert.equal(json.error.code, "connection");
    assert.doesNotMatch(json.error.message, /--database-url/, "in the Action's words");
  });

  test("--json and report-json get a report when the settings themselves are refused, and on a failed restore", async () => {
    const path = join(ws, "usage.json");
    const cli = await runCli([
      "fix",
      "--database-url",
      db.url,
      "--statement-timeout",
      "5",
      "--json",
      "--report-json",
      path,
    ]);
    assert.equal(cli.code, 2, cli.stderr);
    for (const text of [cli.stdout, readFileSync(path, "utf8")]) {
      const json = JSON.parse(text);
      assert.equal(json.ok, false);
      assert.equal(json.mode, "fix");
      assert.equal(json.error.code, "usage");
      assert.equal(json.error.exit_code, 2);
      assert.match(json.error.message, /--statement-timeout takes a duration/);
    }
    // A flag where the file name should be is no file name: nothing is written under that name.
    const flagAsFile = await runCli(["check", "--bogus", "--report-json", "--json"], {}, { cwd: ws });
    assert.equal(flagAsFile.code, 2, flagAsFile.stderr);
    assert.equal(JSON.parse(flagAsFile.stdout).error.code, "usage");
    assert.throws(() => readFileSync(join(ws, "--json")), /ENOENT/);
    // seq-guard sql prints a script: a refused sql command line gets no report.
    const sql = await runCli(["sql", "--json"]);
    assert.equal(sql.code, 2, sql.stderr);
    assert.equal(sql.stdout, "");

    const apath = join(ws, "usage-action.json");
    const action = await runAction({
      inputs: { "database-url": db.url, "statement-timeout": "5", "report-json": apath },
    });
    assert.equal(action.code, 2, action.visible);
    assert.equal(action.outputs["report-json"], apath);
    const ajson = JSON.parse(readFileSync(apath, "utf8"));
    assert.equal(ajson.error.code, "usage");
    assert.match(ajson.error.message, /the statement-timeout input takes a duration/);

    mkdirSync(join(ws, "fixtures"), { recursive: true });
    const broken = join(ws, "fixtures", "broken.sql");
    writeFileSync(broken, "CREATE TABLE t (id serial PRIMARY KEY);\nSELECT no_such_function();\n");
    const restore = await runCli(["check", "--database-url", adminUrl(), "--json", broken]);
    assert.equal(restore.code, 4, restore.stderr);
    const rjson = JSON.parse(restore.stdout);
    assert.equal(rjson.ok, false);
    assert.equal(rjson.error.code, "restore");
    assert.match(rjson.error.message, /no_such_function/);
  });

  test("a plain fixture whose statement fails: on-restore-error continue gets past it in both; keep-database false names no database", async () => {
    mkdirSync(join(ws, "fixtures"), { recursive: true });
    const fixture = join(ws, "fixtures", "newer.sql");
    // A setting this server does not know stands for pg_dump 17's SET transaction_timeout on an older server.
    writeFileSync(fixture, `SET seq_guard_no_such_setting = 0;\n${SQL}`);
    const stop = await runAction({
      cwd: ws,
      inputs: { "database-url": adminUrl(), dump: "fixtures/newer.sql" },
    });
    assert.equal(stop.code, 4, stop.visible);
    assert.match(stop.visible, /on-restore-error: continue/);
    assert.doesNotMatch(stop.visible, /--on-restore-error/);
    const go = await runAction({
      cwd: ws,
      inputs: {
        "database-url": adminUrl(),
        dump: "fixtures/newer.sql",
        "on-restore-error": "continue",
        "keep-database": "false",
      },
    });
    assert.equal(go.code, 1, go.visible);
    assert.equal(go.outputs.violations, "1");
    assert.equal(go.outputs.database, "", "the dropped scratch database is not handed to later steps");
    const cli = await runCli([
      "check",
      "--database-url",
      adminUrl(),
      "--on-restore-error",
      "continue",
      fixture,
    ]);
    assert.equal(cli.code, 1, cli.stderr);
    const bad = await runAction({
      cwd: ws,
      inputs: { "database-url": adminUrl(), "on-restore-error": "maybe" },
    });
    assert.equal(bad.code, 2);
    assert.match(bad.visible, /the on-restore-error input takes stop or continue/);
  });

  test("a failed restore's error is printed once", async () => {
    const fixture = join(ws, "fixtures", "newer.sql");
    const r = await runCli(["check", "--database-url", adminUrl(), fixture]);
    assert.equal(r.code, 4, r.stderr);
    const all = r.stdout + r.stderr;
    assert.equal(all.split("seq_guard_no_such_setting").length - 1, 1, all);
  });

  test("--restore-database naming the postgres database it connects to: no advice to connect to postgres", async () => {
    const pgUrl = new URL(adminUrl());
    pgUrl.pathname = "/postgres";
    const fixture = join(ws, "fixtures", "newer.sql");
    const cli = await runCli([
      "check",
      "--database-url",
      pgUrl.href,
      "--restore-database",
      "postgres",
      fixture,
    ]);
    assert.equal(cli.code, 2, cli.stderr);
    assert.match(
      cli.stderr,
      /the restore database "postgres" \(--restore-database\) is the database seq-guard connects to/,
    );
    assert.doesNotMatch(cli.stderr, /for example the postgres database|in the Action/);
    const action = await runAction({
      cwd: ws,
      inputs: { "database-url": pgUrl.href, dump: "fixtures/newer.sql", "restore-database": "postgres" },
    });
    assert.equal(action.code, 2, action.visible);
    assert.match(action.visible, /\(the restore-database input\) is the database seq-guard connects to/);
    assert.doesNotMatch(action.visible, /--restore-database|in the Action/);
  });
});

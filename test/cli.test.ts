// The built CLI (dist/cli.js) in a child process, as a user runs it: exit codes, output, JSON, connection
// failures, and no password anywhere.
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { Report } from "../src/core/types.ts";
import { freePort } from "../src/process/embedded.ts";
import { CORPUS_SQL } from "./corpus.ts";
import { adminUrl, root, runCli, type ScratchDb, scratchDb, spawnCollect } from "./helpers.ts";

const password = decodeURIComponent(new URL(adminUrl()).password);

function assertNoSecret(...texts: string[]) {
  for (const t of texts) assert.ok(!t.includes(password), `the password leaked into output:\n${t}`);
}

describe("CLI usage", () => {
  test("--help and --version exit 0", async () => {
    const h = await runCli(["--help"]);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /seq-guard check/);
    assert.match(h.stdout, /Exit codes/);
    const v = await runCli(["--version"]);
    assert.equal(v.code, 0);
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string };
    assert.equal(v.stdout.trim(), pkg.version);
  });

  test("a bundle copied without the files beside it says the installation is incomplete: exit 70, no stack", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-lone-"));
    try {
      copyFileSync(join(root, "dist", "cli.js"), join(dir, "cli.js"));
      writeFileSync(join(dir, "package.json"), '{"type":"module"}');
      for (const args of [["check", "--database-url", "postgres://127.0.0.1:9/x"], ["sql"]]) {
        const r = await spawnCollect(process.execPath, [join(dir, "cli.js"), ...args], {
          env: { PATH: process.env.PATH, HOME: process.env.HOME },
        });
        assert.equal(r.code, 70, `${args[0]}: ${r.stderr}`);
        assert.match(r.stderr, /the installation is incomplete: Cannot find module '[^']*cli\.\d+\.js'/);
        assert.match(r.stderr, /reinstall seq-guard, or copy all of dist\//);
        assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
        assert.doesNotMatch(r.stderr, /report it/, "not an unexpected error to report");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [args, pattern] of [
    [["frobnicate"], /unknown command "frobnicate"/],
    [[], /no command given/],
    [["check", "--frob"], /Unknown option '--frob'/],
    [["check", "--headroom-threshold", "abc"], /--headroom-threshold takes a percentage/],
    [["check", "--concurrency", "0"], /--concurrency takes a whole number from 1 to 64/],
    [["check", "--statement-timeout", "soon"], /--statement-timeout takes a duration/],
    [["check", "--fail-on", "behind,weird"], /--fail-on takes a list of/],
  ] as const) {
    test(`usage error: ${args.join(" ") || "(nothing)"} exits 2`, async () => {
      const r = await runCli([...args]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, pattern);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
    });
  }

  test("an unwritable --report-json is a usage error before anything runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-cli-"));
    try {
      for (const [path, pattern] of [
        [join(dir, "missing", "r.json"), /cannot be written: the folder .*missing does not exist/],
        [dir, /is a folder: give a file name in it/],
      ] as const) {
        // No server is reachable there: the path is refused first, so the run never gets to connect.
        const r = await runCli([
          "check",
          "--database-url",
          "postgres://u@127.0.0.1:1/db",
          "--report-json",
          path,
        ]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, pattern);
        assert.doesNotMatch(r.stderr, /could not connect/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a dump whose name starts with a dash: the usage error says how to give it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "seq-guard-cli-"));
    try {
      writeFileSync(join(dir, "-dash.sql"), "SELECT 1;\n");
      const r = await runCli(["check", "-dash.sql"], {}, { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /"-dash\.sql" is read as options.*after --, as \.\/-dash\.sql or as --dump=-dash\.sql/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a malformed connection URL is a usage error and does not echo its password", async () => {
    const r = await runCli(["check", "--database-url", "postgres://u:hunter2@exa mple:5432/db"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not a valid connection URL/);
    assert.ok(!r.stderr.includes("hunter2"), r.stderr);
    const r2 = await runCli(["check", "--database-url", "mysql://u:hunter2@localhost/db"]);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /must start with postgres:\/\//);
    assert.ok(!r2.stderr.includes("hunter2"));
  });

  // Passwords that should have been percent-encoded, or that sit in a parameter: never echoed either.
  for (const url of [
    "postgres://u:hun/ter2@host:notaport/db",
    "postgres://u:hun#ter2@host:99999/db",
    "postgres://u@host:notaport/db?password=hunter2",
    "postgres://u:hun@ter2@host:notaport/db",
  ]) {
    test(`a malformed URL whose password is spelled ${url.replace(/^postgres:\/\/u/, "").slice(0, 14)}... is not echoed`, async () => {
      const r = await runCli(["check", "--database-url", url]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /not a valid connection URL|must start with/);
      for (const part of ["hunter2", "hun/ter2", "hun#ter2", "ter2"])
        assert.ok(!r.stderr.includes(part), r.stderr);
      assert.match(r.stderr, /USER:PASSWORD@HOST/, "the example of the right form stays readable");
    });
  }
});

describe("CLI against a database", () => {
  let db: ScratchDb;
  let simple: ScratchDb;
  let tmp: string;
  before(async () => {
    db = await scratchDb(CORPUS_SQL);
    simple = await scratchDb(
      "CREATE TABLE users (id serial PRIMARY KEY); INSERT INTO users VALUES (1), (2), (3); CREATE TABLE fine (id serial PRIMARY KEY);",
    );
    tmp = mkdtempSync(join(tmpdir(), "seq-guard-cli-test-"));
  });
  after(async () => {
    await db.drop();
    await simple.drop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test("check: exit 1, a table with the fix SQL, nothing changed", async () => {
    const r = await runCli(["check", "--database-url", db.url]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /behind\s+public\.users_id_seq\s+public\.users\.id\s+200\s+1\s+SELECT setval\('public\.users_id_seq', 200, true\);/,
    );
    assert.match(r.stdout, /exhausted\s+public\.int_full_id_seq/);
    assert.match(r.stdout, /FAILED/);
    assert.ok(!r.stdout.includes("\u001b["), "no colour when not on a terminal");
    assertNoSecret(r.stdout, r.stderr);
  });

  test("--json prints the report contract; --report-json writes the same", async () => {
    const file = join(tmp, "report.json");
    const r = await runCli(["check", "--database-url", db.url, "--json", "--report-json", file]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout) as Report;
    assert.deepEqual(JSON.parse(readFileSync(file, "utf8")), report);
    assert.equal(report.version, 1);
    assert.equal(report.mode, "check");
    assert.equal(report.ok, false);
    assert.equal(report.targets.length, 1);
    assert.equal(report.targets[0]?.database, db.name);
    const users = report.targets[0]?.sequences.find((s) => s.sequence === "public.users_id_seq");
    assert.deepEqual(
      {
        status: users?.status,
        next_value: users?.next_value,
        max: users?.max,
        last_value: users?.last_value,
        is_called: users?.is_called,
        increment: users?.increment,
        columns: users?.columns,
      },
      {
        status: "behind",
        next_value: "1",
        max: "200",
        last_value: "1",
        is_called: false,
        increment: "1",
        columns: [
          { table: "public.users", column: "id", type: "integer", via: "owned", max: "200", min: null },
        ],
      },
    );
    const s = report.summary;
    assert.equal(s.sequences, s.ok + s.behind + s.fixed + s.exhausted + s.skipped + s.error);
    assertNoSecret(r.stdout, readFileSync(file, "utf8"));
  });

  test("report never exits 1 on findings; --fail-on changes what fails", async () => {
    assert.equal((await runCli(["report", "--database-url", db.url, "--quiet"])).code, 0);
    assert.equal((await runCli(["check", "--database-url", db.url, "--quiet", "--fail-on", "none"])).code, 0);
    const nearOnly = await runCli([
      "check",
      "--database-url",
      db.url,
      "--quiet",
      "--schema",
      "public",
      "--exclude",
      "public.[!n]*",
      "--fail-on",
      "near-exhaustion",
    ]);
    assert.equal(nearOnly.code, 1, "public.nearly is near exhaustion");
  });

  test("a reader that stops early (| head) ends the run quietly, with no stack trace", async () => {
    // Enough sequences that the JSON outgrows a pipe's buffer, so the writer meets the closed pipe.
    const big = await scratchDb();
    try {
      for (let k = 0; k < 3; k++) {
        await big.query(
          `DO $$ BEGIN FOR i IN ${k * 400}..${k * 400 + 399} LOOP EXECUTE format('CREATE TABLE t_%s (id serial PRIMARY KEY)', i); END LOOP; END $$`,
        );
      }
      const out = await runCli(
        ["check", "--database-url", big.url, "--json"],
        {},
        {
          // Read one chunk, then close the pipe, as `head -c 10` does.
          onStart: (child) => child.stdout?.once("data", () => child.stdout?.destroy()),
        },
      );
      assert.doesNotMatch(out.stderr, /EPIPE|\n\s+at /, out.stderr);
      assert.equal(out.code, 0, "the verdict's exit code (1,200 ok sequences), not a crash");
    } finally {
      await big.drop();
    }
  });

  test("--quiet prints nothing", async () => {
    const r = await runCli(["check", "--database-url", db.url, "--quiet"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, "");
    assert.equal(r.stderr, "");
  });

  test("fix then check: exit 0 both times; the next insert works", async () => {
    const f = await runCli(["fix", "--database-url", simple.url]);
    assert.equal(f.code, 0, f.stdout + f.stderr);
    assert.match(f.stdout, /fixed\s+public\.users_id_seq\s+public\.users\.id\s+3\s+1 -> 4/);
    const c = await runCli(["check", "--database-url", simple.url]);
    assert.equal(c.code, 0, c.stdout);
    await simple.query("INSERT INTO users DEFAULT VALUES");
  });

  test("fix exits 1 when something stays unfixable (exhausted)", async () => {
    const r = await runCli(["fix", "--database-url", db.url, "--quiet"]);
    assert.equal(r.code, 1);
  });

  test("connection settings from the PG* variables", async () => {
    const u = new URL(simple.url);
    const r = await runCli(["check"], {
      PGHOST: u.hostname,
      PGPORT: u.port,
      PGUSER: decodeURIComponent(u.username),
      PGPASSWORD: decodeURIComponent(u.password),
      PGDATABASE: simple.name,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`== ${simple.name}`));
    assertNoSecret(r.stdout, r.stderr);
  });

  test("DATABASE_URL is used when no flag is given", async () => {
    const r = await runCli(["check", "--json"], { DATABASE_URL: simple.url });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Report).targets[0]?.database, simple.name);
  });
});

describe("CLI connection failures", () => {
  test("nobody listening: exit 3, names host and port, bounded by --connect-timeout", async () => {
    const port = await freePort();
    const t0 = Date.now();
    const r = await runCli([
      "check",
      "--database-url",
      `postgres://u:s3cret-pw@127.0.0.1:${port}/db`,
      "--connect-timeout",
      "1s",
    ]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`could not connect to 127\\.0\\.0\\.1:${port}/db: connection refused`));
    assert.ok(Date.now() - t0 < 15_000, "gave up in time");
    assert.ok(!r.stderr.includes("s3cret-pw"));
  });

  test("a database that does not exist: exit 3 with the remedy", async () => {
    const u = new URL(adminUrl());
    u.pathname = "/no_such_db_here";
    const r = await runCli(["check", "--database-url", u.toString()]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /database "no_such_db_here" does not exist.*Create it first/);
    assertNoSecret(r.stderr);
  });

  test("authentication failure: exit 3, the password never shown", async () => {
    const u = new URL(adminUrl());
    u.password = "wrong-password-xyz";
    const r = await runCli(["check", "--database-url", u.toString()]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /authentication failed/);
    assert.ok(!r.stderr.includes("wrong-password-xyz"));
    assertNoSecret(r.stderr);
  });
});

// An interrupt after the restore, while verification runs: the run ends as interrupted (exit 130), prints no
// verdicts and writes no report, since verdicts cut short by the cleanup (which drops the scratch database and
// with it the verifying connections) would be false. Ctrl-C pressed again while the cleanup runs does not cut it
// short (the embedded server and its data dir would be left): it says what is still being undone; a third press
// abandons the cleanup and says what is left behind.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import {
  childrenOf,
  databasesLike,
  pgTool,
  processesWith,
  sg,
  tempEntries,
} from "./fixtures/restore/util.ts";
import { adminUrl, scratchDb, urlFor, withClient } from "./helpers.ts";

const DB = "seq_guard_int_verify";

describe("SIGINT during verification", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sg-int-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("exit 130, no verdicts on stdout, no report file, no scratch database", async () => {
    const fixture = join(dir, "verify.sql");
    const pause = join(dir, "verify-pause.sql");
    // The pause, a second dump into the same database, lets the test take its lock before verification starts
    // (statements of one script may go to the server together, in one transaction: the table would appear only
    // after a pause in the same script).
    writeFileSync(fixture, "CREATE TABLE big (id serial PRIMARY KEY);\nINSERT INTO big VALUES (5);\n");
    writeFileSync(pause, "SELECT pg_sleep(5);\n");
    const reportFile = join(dir, "report.json");
    // Another session holds the table, so verification waits on it until the signal comes.
    let locker: pg.Client | null = null;
    let sent = 0;
    const r = await sg(
      [
        "check",
        "--database-url",
        adminUrl(),
        "--restore-database",
        DB,
        "--report-json",
        reportFile,
        fixture,
        pause,
      ],
      {},
      {
        timeoutMs: 120_000,
        onStart: (child) => {
          const poll = setInterval(async () => {
            if (locker || !(await databasesLike(DB).catch(() => [])).length) return;
            const c = new pg.Client({ connectionString: urlFor(DB) });
            c.on("error", () => undefined);
            try {
              await c.connect();
              const { rows } = await c.query("SELECT to_regclass('public.big') IS NOT NULL AS ok");
              if (!rows[0]?.ok) return void (await c.end());
              locker = c;
              await c.query("BEGIN; LOCK TABLE big IN ACCESS EXCLUSIVE MODE");
              // Wait until seq-guard's verification is queued behind the lock, then interrupt it.
              // As long as the run lasts (its own bound is the sg timeout): on a loaded machine the rest of the
              // restore and discovery can take longer than any fixed few seconds before verification reaches it.
              while (sent === 0 && child.exitCode === null && child.signalCode === null) {
                const w = await c.query(
                  "SELECT count(*)::int AS n FROM pg_locks WHERE NOT granted AND relation = 'big'::regclass",
                );
                if ((w.rows[0]?.n as number) > 0) {
                  sent = Date.now();
                  clearInterval(poll);
                  child.kill("SIGINT");
                }
                await new Promise((res) => setTimeout(res, 100));
              }
            } catch {
              // the scratch database may vanish under us: the run's cleanup
            }
          }, 100);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    await (locker as pg.Client | null)?.end().catch(() => undefined);
    assert.ok(sent > 0, `verification was waiting when the signal came: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted: cleaning up/);
    assert.doesNotMatch(r.stdout, /==|sequences?,|FAILED|ok:/, `no verdicts: ${r.stdout}`);
    // --report-json always gets a report: here only the interruption, with no verdict of the unfinished run.
    if (existsSync(reportFile)) {
      const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
        ok: boolean;
        error: { code: string } | null;
        targets: unknown[];
      };
      assert.equal(report.ok, false);
      assert.equal(report.error?.code, "interrupted");
      assert.deepEqual(report.targets, [], "no verdicts in the report file");
    }
    assert.deepEqual(await databasesLike(DB), [], "the scratch database is gone");
  });
});

/**
 * Once the restore's session into `database` runs the fixture's pg_sleep (seq-guard runs plain SQL over its own
 * connection: the server backend's process title names the database and the statement under way), send
 * `signals` to the CLI, `gapMs` apart (after `first`, when given).
 */
function signalDuringRestore(
  database: string,
  gapMs: number,
  signals: NodeJS.Signals[],
  sent: { at: number },
  first?: () => Promise<void>,
) {
  const sleeping = new RegExp(`^postgres: \\S+ ${database} \\S+ SELECT`);
  return (child: import("node:child_process").ChildProcess) => {
    const poll = setInterval(() => {
      // The run may be over before the restore was seen (it failed): stop polling then.
      if (child.exitCode !== null || child.signalCode !== null) return void clearInterval(poll);
      if (sent.at > 0 || !processesWith(` ${database} `).some((p) => sleeping.test(p.replace(/^\d+: /, ""))))
        return;
      sent.at = Date.now();
      clearInterval(poll);
      // The session is in its pg_sleep: the restore is under way.
      void (first ?? (async () => undefined))().then(() =>
        setTimeout(() => {
          signals.forEach((sig, i) => {
            setTimeout(() => child.kill(sig), i * gapMs);
          });
        }, 500),
      );
    }, 50);
    child.on("close", () => clearInterval(poll));
  };
}

describe("Ctrl-C pressed again during the cleanup", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sg-int-twice-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test("a second SIGINT says what is still undone and lets the cleanup finish: the embedded server and its data dir are gone", async () => {
    const fixture = join(dir, "twice.sql");
    writeFileSync(
      fixture,
      "CREATE TABLE s (id serial PRIMARY KEY);\nINSERT INTO s SELECT generate_series(1, 1000);\nSELECT pg_sleep(120);\n",
    );
    const sent = { at: 0 };
    // No server named: the CLI starts its own, which the cleanup must stop and remove.
    const r = await sg(
      ["check", fixture],
      {},
      {
        timeoutMs: 90_000,
        onStart: signalDuringRestore("seq_guard_twice", 50, ["SIGINT", "SIGINT"], sent),
      },
    );
    assert.ok(sent.at > 0, `the restore got under way: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /interrupted: cleaning up\n/);
    assert.match(
      r.stderr,
      /seq-guard: still cleaning up: [^\n]*stopping the embedded PostgreSQL[^\n]*; press Ctrl-C again to abandon it\n/,
    );
    assert.doesNotMatch(r.stderr, /abandoned|left behind/);
    assert.ok(Date.now() - sent.at < 30_000, "stopped promptly");
    assert.deepEqual(tempEntries(r.pid), [], "the server's data dir is removed");
    assert.deepEqual(processesWith(`seq-guard-pg-${r.pid}-`), [], "no server process left");
  });

  test("a third SIGINT abandons the cleanup and names what is left behind", async () => {
    const db = "seq_guard_int_abandon";
    const fixture = join(dir, "int-abandon.sql");
    writeFileSync(fixture, "CREATE TABLE s (id serial PRIMARY KEY);\nSELECT pg_sleep(120);\n");
    // Once the restore is under way (the row is locked only then: making the restore role changes the database's
    // owner in that row), another session holds the scratch database's row in pg_database, so DROP DATABASE waits
    // for it: the cleanup is still dropping when the signals come.
    let locker: pg.Client | null = null;
    let role: string | null = null;
    const sent = { at: 0 };
    const send = signalDuringRestore(db, 300, ["SIGINT", "SIGINT", "SIGINT"], sent, async () => {
      const c = new pg.Client({ connectionString: adminUrl() });
      c.on("error", () => undefined);
      locker = c;
      await c.connect();
      await c.query("BEGIN");
      await c.query("SELECT 1 FROM pg_database WHERE datname = $1 FOR UPDATE", [db]);
    });
    try {
      const r = await sg(
        ["check", "--database-url", adminUrl(), "--restore-database", db, fixture],
        {},
        { timeoutMs: 60_000, onStart: send },
      );
      assert.ok(sent.at > 0, `the restore got under way: ${r.stderr}`);
      assert.equal(r.code, 130, r.stderr);
      assert.ok(Date.now() - sent.at < 10_000, "the third signal ends the run at once");
      assert.match(
        r.stderr,
        new RegExp(
          `seq-guard: still cleaning up: dropping role seq_guard_restore_[0-9a-f]{12}, dropping database ${db}; press Ctrl-C again to abandon it\\n`,
        ),
      );
      const { hostname, port } = new URL(adminUrl());
      assert.match(
        r.stderr,
        new RegExp(
          `seq-guard: cleanup abandoned; left behind: role (seq_guard_restore_[0-9a-f]{12}) on ${hostname}:${port} \\(DROP ROLE "\\1"\\); database ${db} on ${hostname}:${port} \\(DROP DATABASE "${db}"\\)\\n`,
        ),
      );
      role = /left behind: role (seq_guard_restore_[0-9a-f]{12})/.exec(r.stderr)?.[1] ?? null;
    } finally {
      await (locker as pg.Client | null)?.end().catch(() => undefined);
      await new Promise((res) => setTimeout(res, 300));
      await withClient(adminUrl(), async (c) => {
        await c.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
        // The restore role the abandoned cleanup named (it owned the database, so it goes after it).
        if (role) await c.query(`DROP ROLE IF EXISTS "${role}"`);
      });
    }
  });
});

describe("SIGINT while pg_restore runs", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sg-int-pgrestore-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  // A pg_restore that does not finish (a damaged archive can make one spin) is stopped by Ctrl-C like any other
  // work: killed, its scratch database dropped, exit 130.
  test("pg_restore is stopped and the scratch database dropped: exit 130, nothing left", async () => {
    const db = "seq_guard_int_pgrestore";
    // The restore refreshes the materialized view, which sleeps in a scratch database (and not in its source).
    const src = await scratchDb(`
      CREATE TABLE public.t (id serial PRIMARY KEY);
      INSERT INTO public.t VALUES (1);
      CREATE MATERIALIZED VIEW public.slow AS
        SELECT 1 AS x FROM pg_sleep(CASE WHEN current_database() LIKE 'seq\\_guard\\_%' THEN 120 ELSE 0 END);
    `);
    const file = join(dir, "int-slow.dump");
    try {
      await pgTool("pg_dump", ["-Fc", "-f", file], src.url);
    } finally {
      await src.drop();
    }
    const sent = { at: 0 };
    const r = await sg(
      ["check", "--database-url", adminUrl(), "--restore-database", db, file],
      {},
      {
        timeoutMs: 60_000,
        onStart: (child) => {
          const poll = setInterval(() => {
            if (sent.at > 0 || !childrenOf(child.pid ?? -1).some((c) => c.name === "pg_restore")) return;
            sent.at = Date.now();
            clearInterval(poll);
            // The list and the header read come first; the restore itself is the one that stays.
            setTimeout(() => child.kill("SIGINT"), 1500);
          }, 50);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    assert.ok(sent.at > 0, `pg_restore ran: ${r.stderr}`);
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stderr, /interrupted: cleaning up/);
    assert.ok(Date.now() - sent.at < 20_000, "stopped promptly");
    assert.deepEqual(await databasesLike(db), [], "the scratch database is gone");
    assert.deepEqual(processesWith(file), [], "no pg_restore left");
  });
});

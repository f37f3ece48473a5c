// A server that goes away mid-run (stopped, restarted, the session terminated) leaves the results incomplete: exit
// 3 in every mode, never findings (1) and never a passing report (0). The run is held at a point where it waits
// on a table lock, so seq-guard's sessions are terminated while it verifies, on any machine, at any speed.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { FakeGitHub, runAction } from "./fake-github.ts";
import { adminUrl, type CliResult, runCli, type ScratchDb, scratchDb, withClient } from "./helpers.ts";

// Behind sequences, so that an incomplete run would otherwise have findings to report.
const SQL = `
CREATE TABLE a (id serial PRIMARY KEY);
CREATE TABLE b (id serial PRIMARY KEY);
INSERT INTO a (id) VALUES (1), (2), (3);
INSERT INTO b (id) VALUES (1), (2);
`;

/**
 * Run `start` while table b is locked; once one of seq-guard's sessions waits for that lock, terminate every
 * seq-guard session on the database, then let go of the lock.
 */
async function terminatedMidRun<T>(db: ScratchDb, start: () => Promise<T>): Promise<T> {
  const holder = new pg.Client({ connectionString: db.url });
  await holder.connect();
  try {
    await holder.query("BEGIN");
    await holder.query("LOCK TABLE b IN ACCESS EXCLUSIVE MODE");
    const running = start();
    let waited = false;
    const settled = running.then(
      () => true,
      () => true,
    );
    for (let i = 0; i < 600 && !waited; i++) {
      waited = await withClient(adminUrl(), async (c) => {
        const r = await c.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = $1 AND application_name = 'seq-guard' AND wait_event_type = 'Lock'`,
          [db.name],
        );
        return (r.rows[0]?.n ?? 0) > 0;
      });
      if (!waited && (await Promise.race([settled, new Promise((r) => setTimeout(() => r(false), 100))])))
        break;
    }
    assert.ok(waited, "seq-guard came to wait for the lock");
    await withClient(adminUrl(), (c) =>
      c.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = $1 AND application_name = 'seq-guard'`,
        [db.name],
      ),
    );
    return await running;
  } finally {
    await holder.query("ROLLBACK").catch(() => undefined);
    await holder.end();
  }
}

describe("a server lost mid-run", () => {
  let db: ScratchDb;
  let api: FakeGitHub;
  before(async () => {
    db = await scratchDb(SQL);
    api = await FakeGitHub.start();
  });
  after(async () => {
    await db.drop();
    await api.close();
  });

  for (const mode of ["check", "fix", "report"] as const) {
    test(`the CLI exits 3 in ${mode} mode, and reports no finding`, async () => {
      const r: CliResult = await terminatedMidRun(db, () =>
        runCli([
          mode,
          "--database-url",
          db.url,
          "--lock-timeout",
          "60s",
          "--statement-timeout",
          "90s",
          "--json",
        ]),
      );
      assert.equal(r.code, 3, `${r.stdout}\n${r.stderr}`);
      // --json always gets a report (a consumer is never left with nothing), here one of the failure alone:
      // no verdict of an incomplete run.
      const report = JSON.parse(r.stdout) as {
        ok: boolean;
        error: { code: string; exit_code: number } | null;
        targets: unknown[];
      };
      assert.equal(report.ok, false);
      assert.deepEqual([report.error?.code, report.error?.exit_code], ["connection", 3]);
      assert.deepEqual(report.targets, [], "no report of an incomplete run");
      assert.match(r.stderr, /lost/);
    });
  }

  test("the Action exits 3 in report mode too", async () => {
    const r = await terminatedMidRun(db, () =>
      runAction({ api, inputs: { "database-url": db.url, mode: "report", comment: "never" } }),
    );
    assert.equal(r.code, 3, r.visible);
    assert.equal(r.outputs.status, "error");
  });
});

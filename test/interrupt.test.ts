// An interrupt after the restore, while verification runs: the run ends as interrupted (exit 130), prints no
// verdicts and writes no report, since verdicts cut short by the cleanup (which drops the scratch database and
// with it the verifying connections) would be false.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import pg from "pg";
import { databasesLike, sg } from "./fixtures/restore/util.ts";
import { adminUrl, urlFor } from "./helpers.ts";

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
    // The pause at the end lets the test take its lock before verification starts.
    writeFileSync(
      fixture,
      "CREATE TABLE big (id serial PRIMARY KEY);\nINSERT INTO big VALUES (5);\nSELECT pg_sleep(3);\n",
    );
    const reportFile = join(dir, "report.json");
    // Another session holds the table, so verification waits on it until the signal comes.
    let locker: pg.Client | null = null;
    let sent = 0;
    const r = await sg(
      ["check", "--database-url", adminUrl(), "--restore-database", DB, "--report-json", reportFile, fixture],
      {},
      {
        timeoutMs: 60_000,
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
              for (let i = 0; i < 100 && sent === 0; i++) {
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
    assert.ok(!existsSync(reportFile), "no report file");
    assert.deepEqual(await databasesLike(DB), [], "the scratch database is gone");
  });
});

// The README's main-job command end to end: with no server named anywhere (no --database-url, DATABASE_URL or
// PG* variables) the built CLI starts its own PostgreSQL, restores the example fixture, finds its behind sequence,
// and stops and removes the server again, also when it is terminated in the middle of a restore.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { sg, tempEntries } from "./fixtures/restore/util.ts";
import { root } from "./helpers.ts";

/** Processes whose command line mentions this run's server data dir. */
function serverProcesses(pid: number): string[] {
  const out: string[] = [];
  for (const p of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${p}/cmdline`, "utf8").replace(/\0/g, " ");
      if (cmd.includes(`seq-guard-pg-${pid}-`)) out.push(`${p}: ${cmd}`);
    } catch {
      // gone already
    }
  }
  return out;
}

describe("embedded PostgreSQL by default", () => {
  const dirs: string[] = [];
  after(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test("seq-guard check examples/fixture.sql with no server named: exit 1, the behind sequence, nothing left", async () => {
    const r = await sg(["check", "examples/fixture.sql"], {});
    assert.equal(r.code, 1, `exit 1 for the behind sequence\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /== examples\/fixture\.sql \(plain, restored into seq_guard_fixture in \d+ ms\)/);
    assert.match(
      r.stdout,
      /behind\s+public\.customers_id_seq\s+public\.customers\.id\s+3\s+1\s+SELECT setval/,
    );
    assert.match(
      r.stdout,
      /hint: examples\/fixture\.sql inserts rows \(2 INSERT statements\) and never calls setval/,
    );
    assert.doesNotMatch(r.stdout, /orders_id_seq/, "the identity column filled through its default is ok");
    assert.deepEqual(tempEntries(r.pid), [], "the server's data dir is removed");
    assert.deepEqual(serverProcesses(r.pid), [], "the server is stopped");
  });

  test("the README's command, npx seq-guard check examples/fixture.sql, works in the repository", async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn("npx", ["--no-install", "seq-guard", "check", "examples/fixture.sql"], {
        cwd: root,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (d) => {
        out += d;
      });
      child.stderr.on("data", (d) => {
        out += d;
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, out }));
    });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /behind\s+public\.customers_id_seq/);
  });

  test("fix on the example shows the fix, in a throwaway copy", async () => {
    const r = await sg(["fix", "examples/fixture.sql"], {});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /fixed\s+public\.customers_id_seq\s+public\.customers\.id\s+3\s+1 -> 4/);
    assert.deepEqual(tempEntries(r.pid), []);
  });

  test("SIGTERM in the middle of a restore: exit 143, the server stopped and its data dir removed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sg-restore-embedded-"));
    dirs.push(dir);
    const file = join(dir, "slow.sql");
    writeFileSync(
      file,
      "CREATE TABLE s (id serial PRIMARY KEY);\nINSERT INTO s VALUES (1);\nSELECT pg_sleep(120);\n",
    );
    let sentAt = 0;
    const r = await sg(
      ["check", file],
      {},
      {
        timeoutMs: 90_000,
        onStart: (child) => {
          // Wait until the server runs and the restore's session is in its pg_sleep (the backend's process title
          // names the database and the statement under way), then terminate.
          const poll = setInterval(() => {
            const pid = child.pid ?? -1;
            const procs = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
            const restoring = procs.some((p) => {
              try {
                return (
                  /^postgres: \S+ seq_guard_slow \S+ SELECT/.test(
                    readFileSync(`/proc/${p}/cmdline`, "utf8"),
                  ) && tempEntries(pid).length > 0
                );
              } catch {
                return false;
              }
            });
            if (restoring && sentAt === 0) {
              sentAt = Date.now();
              clearInterval(poll);
              setTimeout(() => child.kill("SIGTERM"), 300);
            }
          }, 100);
          child.on("close", () => clearInterval(poll));
        },
      },
    );
    assert.ok(sentAt > 0, `the restore got under way: ${r.stdout}${r.stderr}`);
    assert.equal(r.code, 143, r.stdout + r.stderr);
    assert.match(r.stderr, /terminated: cleaning up/);
    assert.ok(Date.now() - sentAt < 20_000, "stopped promptly");
    assert.deepEqual(tempEntries(r.pid), [], "the server's data dir is removed");
    assert.deepEqual(serverProcesses(r.pid), [], "no server process left");
  });
});

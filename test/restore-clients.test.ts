// clients.ts: which pg_restore reads an archive, and the message when none does.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ArchiveHeader } from "../src/restore/archive-header.ts";
import {
  type ClientTool,
  chooseRestore,
  maxArchiveMinor,
  minMajorForArchive,
  noReaderMessage,
  parseToolVersion,
} from "../src/restore/clients.ts";
import { cli } from "./restore-helpers.ts";

describe("choosing pg_restore", () => {
  const tool = (major: number, version = `${major}.3`): ClientTool => ({
    path: `/usr/lib/postgresql/${major}/bin/pg_restore`,
    version,
    major,
  });
  const hdr = (minor: number, dumpVersion: string | null): ArchiveHeader => ({
    version: [1, minor, 0],
    versionText: `1.${minor}`,
    intSize: 4,
    offSize: 8,
    formatCode: 1,
    database: "shop",
    serverVersion: dumpVersion,
    dumpVersion,
  });

  test("format versions and the releases that read them", () => {
    assert.equal(maxArchiveMinor(15), 14);
    assert.equal(maxArchiveMinor(16), 15);
    assert.equal(maxArchiveMinor(17), 16);
    assert.equal(minMajorForArchive(14), 12);
    assert.equal(minMajorForArchive(16), 17);
    assert.equal(minMajorForArchive(17), 19);
    assert.deepEqual(parseToolVersion("pg_restore (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n"), {
      version: "15.18 (Debian 15.18-0+deb12u1)",
      major: 15,
    });
    assert.deepEqual(parseToolVersion("pg_restore (PostgreSQL) 9.6.24"), { version: "9.6.24", major: 9.6 });
  });

  test("prefers the server's own major version among those that read the archive, else the newest", () => {
    const tools = [tool(14), tool(15), tool(17)];
    assert.equal(chooseRestore(tools, hdr(14, "15.2"), 15)?.tool.major, 15);
    assert.equal(chooseRestore(tools, hdr(14, "15.2"), 16)?.tool.major, 17);
    assert.equal(chooseRestore(tools, hdr(16, "17.1"), 15)?.tool.major, 17);
    assert.equal(chooseRestore([tool(15)], hdr(16, "17.1"), 15), null);
  });

  test("the message names both versions and the remedy", () => {
    const msg = cli(noReaderMessage("nightly.dump", hdr(16, "17.2"), [tool(15, "15.18"), tool(14)]));
    assert.match(msg, /format 1\.16 \(written by pg_dump 17\.2\)/);
    assert.match(msg, /needs pg_restore 17 or newer/);
    assert.match(msg, /newest pg_restore found is 15\.18 .*reads archive formats up to 1\.14/);
    assert.match(msg, /postgresql-client-17/);
    assert.match(msg, /--restore-via docker:CONTAINER/);
    assert.match(noReaderMessage("x", hdr(30, null), [tool(15)]), /newer than any PostgreSQL release/);
  });
});

// archive-header.ts: a pg_dump archive's header read as ReadHead reads it, and what pg_dump never writes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseArchiveHeader } from "../src/restore/archive-header.ts";
import { header15 } from "./restore-helpers.ts";

describe("archive header", () => {
  test("reads version, format and the pg_dump that wrote it", () => {
    const r = parseArchiveHeader(header15());
    assert.ok(r.ok);
    assert.deepEqual(r.header.version, [1, 14, 0]);
    assert.equal(r.header.versionText, "1.14");
    assert.equal(r.header.formatCode, 1);
    assert.equal(r.header.database, "shop");
    assert.equal(r.header.serverVersion, "15.18");
    assert.equal(r.header.dumpVersion, "15.18 (Debian 15.18-0+deb12u1)");
  });

  test("reads the 1.15+ layout (compression as one byte)", () => {
    const r = parseArchiveHeader(header15(1, "17.2", 16));
    assert.ok(r.ok);
    assert.equal(r.header.versionText, "1.16");
    assert.equal(r.header.dumpVersion, "17.2");
  });

  test("a future format is recognised without guessing what follows", () => {
    const b = header15();
    b[6] = 40;
    const r = parseArchiveHeader(b);
    assert.ok(r.ok);
    assert.equal(r.header.versionText, "1.40");
    assert.equal(r.header.dumpVersion, null);
  });

  test("corrupt or cut headers are told apart from archives", () => {
    const major = header15();
    major[5] = 7;
    assert.match((parseArchiveHeader(major) as { problem: string }).problem, /format version 7\.14/);
    const fmt = header15();
    fmt[10] = 9;
    assert.match((parseArchiveHeader(fmt) as { problem: string }).problem, /format code \(9\)/);
    assert.match(
      (parseArchiveHeader(header15().subarray(0, 20)) as { problem: string }).problem,
      /ends inside/,
    );
  });
});

describe("archive header: what pg_dump never writes", () => {
  test("a revision other than 0 (pg_restore accepts it, then may crash) is a corrupt header", () => {
    const b = header15();
    b[7] = 200;
    assert.match(
      (parseArchiveHeader(b) as { problem: string }).problem,
      /its format revision \(1\.14\.200\) is not one pg_dump writes \(format 1\.14 always has revision 0\)/,
    );
  });

  test("an absurd string length has its own reason; a cut header says it is truncated", () => {
    const b = header15();
    // The database name's length: sign byte, then 4 bytes; after magic, version, sizes, format, compression
    // and the 7 date ints.
    const at = 5 + 3 + 3 + 5 + 7 * 5;
    b.writeUInt32LE(1_000_000, at + 1);
    assert.match(
      (parseArchiveHeader(b) as { problem: string }).problem,
      /a length in it \(1000000 bytes at offset 51\) is absurd/,
    );
    assert.match(
      (parseArchiveHeader(header15().subarray(0, 20)) as { problem: string }).problem,
      /the file ends inside its header \(after 20 bytes\): it is truncated/,
    );
  });
});

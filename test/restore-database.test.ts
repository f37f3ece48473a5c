// database.ts: the scratch database's name.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scratchName } from "../src/restore/database.ts";

describe("tools and their output", () => {
  test("scratch names come from the file name", () => {
    assert.equal(scratchName("/x/nightly-2026.01.02.dump"), "seq_guard_nightly_2026_01_02");
    assert.equal(scratchName("fixtures/Ünïcode Shop.sql.gz"), "seq_guard_unicode_shop");
    assert.equal(scratchName("dumpdir/"), "seq_guard_dumpdir");
    assert.equal(scratchName("-.sql"), "seq_guard_dump");
    assert.ok(scratchName(`${"x".repeat(100)}.sql`).length <= 50);
  });
});

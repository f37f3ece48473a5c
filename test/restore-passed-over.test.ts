// passed-over.ts: the errors a restore passed over, as notes.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { passedOver } from "../src/restore/passed-over.ts";
import { cli } from "./restore-helpers.ts";

describe("restore output", () => {
  test("errors passed over are listed one by one, up to 20", () => {
    assert.deepEqual(passedOver("seq-guard", ["f.sql:5: ERROR: a", "f.sql:8: ERROR: b"], 2).map(cli), [
      "seq-guard passed over error 1 of 2 (--on-restore-error continue): f.sql:5: ERROR: a",
      "seq-guard passed over error 2 of 2 (--on-restore-error continue): f.sql:8: ERROR: b",
    ]);
    const many = Array.from({ length: 25 }, (_, i) => `e${i}`);
    const notes = passedOver("pg_restore", many, 25);
    assert.equal(notes.length, 21);
    assert.match(notes[20] ?? "", /^pg_restore passed over 5 more error\(s\)/);
    assert.deepEqual(passedOver("seq-guard", [], 0), []);
  });
});

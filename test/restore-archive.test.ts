// archive.ts: when pg_restore may restore in parallel.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parallelAllowed } from "../src/restore/archive.ts";

test("jobs above 1, unless a restore argument rules it out or sets the jobs itself", () => {
  assert.ok(parallelAllowed({ jobs: 4, extraArgs: ["-t", "users"] }));
  assert.ok(!parallelAllowed({ jobs: 1, extraArgs: [] }));
  for (const args of [["-1"], ["--single-transaction"], ["-j", "2"], ["--jobs=2"], ["-j2"]]) {
    assert.ok(!parallelAllowed({ jobs: 4, extraArgs: args }), args.join(" "));
  }
});

// The JSON report written in pieces parses back to exactly the report, whatever its shape.
import assert from "node:assert/strict";
import { test } from "node:test";
import { emptySummary } from "../src/core/report.ts";
import type { Report, SequenceReport, TargetReport } from "../src/core/types.ts";
import { reportJsonPieces } from "../src/render/json.ts";

function seq(i: number): SequenceReport {
  return {
    sequence: `public."s ""${i}"""`,
    status: i % 3 === 0 ? "behind" : "ok",
    reason: i % 3 === 0 ? "next value 1 <= 9" : null,
    skip_reason: i % 7 === 0 ? "unlinked" : null,
    columns: [{ table: "public.t", column: "id\n", type: "integer", max: "9223372036854775807", min: null }],
    data_type: "bigint",
    increment: "-1",
    min_value: "-9223372036854775808",
    max_value: "-1",
    cycle: false,
    last_value: "1",
    is_called: true,
    next_value: "2",
    max: null,
    min: null,
    fixed_next_value: null,
    warnings: [{ code: "near_exhaustion", message: "ünïcødé" }],
    headroom: { used_pct: 12.5, remaining: "7" },
    fix_sql: "SELECT setval('x', 1, true);",
  };
}

function target(n: number, dump: string | null): TargetReport {
  return {
    database: "db",
    dump,
    format: dump ? "custom" : null,
    restore_ms: dump ? 12 : null,
    error: null,
    hints: dump ? ["a hint"] : [],
    summary: emptySummary(),
    sequences: Array.from({ length: n }, (_, i) => seq(i)),
  };
}

for (const [name, targets] of [
  ["no target", []],
  ["a target with no sequence", [target(0, null)]],
  ["one target", [target(3, null)]],
  [
    "several targets, more sequences than one piece",
    [target(1234, "a.dump"), target(0, "b.dump"), target(501, "c")],
  ],
] as [string, TargetReport[]][]) {
  test(`pieces parse back to the report: ${name}`, () => {
    const report: Report = { version: 1, mode: "check", ok: false, summary: emptySummary(), targets };
    const text = [...reportJsonPieces(report)].join("");
    assert.deepEqual(JSON.parse(text), report);
    assert.ok(text.endsWith("}\n"));
  });
}

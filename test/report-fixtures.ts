// Builders of report objects for the unit tests of the renderers (no database).
import { summarize } from "../src/core/report.ts";
import type { SequenceReport, Status, TargetReport } from "../src/core/types.ts";

/** A sequence report; behind ones collide at 200 with the setval() that fixes them. */
export function seqReport(name: string, status: Status, over: Partial<SequenceReport> = {}): SequenceReport {
  return {
    sequence: name,
    status,
    reason: status === "behind" ? "next value 1 <= 200, a value already in a linked column" : null,
    skip_reason: null,
    columns: [{ table: "public.users", column: "id", type: "integer", max: "200", min: null }],
    data_type: "integer",
    increment: "1",
    min_value: "1",
    max_value: "2147483647",
    cycle: false,
    last_value: "1",
    is_called: false,
    next_value: "1",
    max: status === "behind" ? "200" : null,
    min: null,
    fixed_next_value: null,
    warnings: [],
    headroom: null,
    fix_sql: status === "behind" ? `SELECT setval('${name.replaceAll("'", "''")}', 200, true);` : null,
    ...over,
  };
}

/** A target of the database as it is, summed up from its sequences. */
export function targetReport(sequences: SequenceReport[], over: Partial<TargetReport> = {}): TargetReport {
  return {
    database: "app",
    dump: null,
    format: null,
    restore_ms: null,
    error: null,
    hints: [],
    summary: summarize(sequences),
    sequences,
    ...over,
  };
}

// The CLI's text (src/render/text.ts), which the Action also writes to its log: the closing verdict names the
// fail-on setting in the words of the front end it is for. No database.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { buildReport, columnLabel } from "../src/core/report.ts";
import type { ColumnReport } from "../src/core/types.ts";
import { ACTION_WORDS } from "../src/core/words.ts";
import { renderText } from "../src/render/text.ts";
import { seqReport, targetReport } from "./report-fixtures.ts";

describe("text verdict", () => {
  // A behind sequence that fail-on lets pass (fail-on: error only).
  const lenient = buildReport("check", [targetReport([seqReport("public.a_seq", "behind")])], ["error"]);

  test("findings fail-on lets pass are said so, with the CLI's flag by default", () => {
    const text = renderText(lenient, { color: false, verbose: false, failOn: ["error"] });
    assert.match(text, /\nreported 1 behind: not counted as failures \(--fail-on\)\n$/);
    assert.doesNotMatch(text, /[\u{e000}-\u{e002}]/u, "no setting marker is left in the text");
  });

  test("in the Action's words when it is for the Action", () => {
    const text = renderText(lenient, {
      color: false,
      verbose: false,
      failOn: ["error"],
      words: ACTION_WORDS,
    });
    assert.match(text, /\nreported 1 behind: not counted as failures \(the fail-on input\)\n$/);
  });

  test("a run failed by a target's error points at the error, one failed by rows at the rows", () => {
    const restoreFailed = buildReport(
      "check",
      [targetReport([], { dump: "f.sql", error: "could not restore f.sql" })],
      ["behind"],
    );
    assert.match(
      renderText(restoreFailed, { color: false, verbose: false }),
      /\nFAILED: see the error above\n$/,
    );
    const behind = buildReport("check", [targetReport([seqReport("public.a_seq", "behind")])], ["behind"]);
    assert.match(renderText(behind, { color: false, verbose: false }), /\nFAILED: see the rows above\n$/);
  });

  test("ok sequences near exhaustion are counted as such, so the count explains a FAILED", () => {
    const near = seqReport("public.b_seq", "ok", {
      warnings: [{ code: "near_exhaustion", message: "95% of its range used" }],
    });
    const report = buildReport(
      "check",
      [targetReport([seqReport("public.a_seq", "ok"), near])],
      ["near-exhaustion"],
    );
    const text = renderText(report, { color: false, verbose: false, failOn: ["near-exhaustion"] });
    assert.match(text, /\n2 sequences, 2 ok \(1 near exhaustion\)/);
    assert.match(text, /\nFAILED: see the rows above\n$/);
  });

  test("report mode says that it never fails", () => {
    const report = buildReport("report", [targetReport([seqReport("public.a_seq", "behind")])], []);
    assert.match(
      renderText(report, { color: false, verbose: false }),
      /not counted as failures \(report mode never fails\)/,
    );
  });
});

describe("column labels", () => {
  test("a column is quoted exactly where quote_ident() quotes it: keywords other than unreserved ones", () => {
    const label = (column: string) => columnLabel({ table: "public.t", column } as ColumnReport);
    assert.equal(label("id"), "public.t.id");
    assert.equal(label("abort"), "public.t.abort", "unreserved keywords stay bare");
    assert.equal(label("int"), 'public.t."int"', "a type keyword");
    assert.equal(label("between"), 'public.t."between"');
    assert.equal(label("select"), 'public.t."select"');
    assert.equal(label("Id"), 'public.t."Id"');
    assert.equal(label('a"b'), 'public.t."a""b"');
  });
});
